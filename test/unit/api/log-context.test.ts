import Fastify from 'fastify';
import { bindActionId, installActionLogContext } from '../../../api/log-context';
import { redactingLogOptions } from '../../../telemetry/log-options';

const ID = 'action-s3.copyObject-abcdefghijkmnpqr';

describe('API log lines', () => {
  it('carry actionId on routes about one action, and redact sensitive params', async () => {
    const lines: Record<string, unknown>[] = [];
    const server = Fastify({
      logger: {
        level: 'info',
        ...redactingLogOptions(new Set(['policyDocument'])),
        stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
      },
    });
    installActionLogContext(server);
    server.get('/v1/actions/:id', async (request) => {
      request.log.info({ params: { roleName: 'r', policyDocument: 'leak' } }, 'read');
      return {};
    });
    server.post('/v1/actions', async (request, reply) => {
      request.log.info('before the id is known');
      bindActionId(request, reply, ID);
      request.log.info('after');
      return {};
    });
    // A real port and fetch, as the other route tests here: `inject` cannot load its cookie module under jest.
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    await fetch(`${url}/v1/actions/${ID}`);
    await fetch(`${url}/v1/actions/not-an-id`);
    await fetch(`${url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await server.close();

    const about = (msg: string) => lines.filter((line) => line.msg === msg).map((line) => line.actionId);
    expect(about('read')).toEqual([ID, undefined]);
    expect(about('request completed')).toEqual([ID, undefined, ID]);
    expect(about('before the id is known')).toEqual([undefined]);
    expect(about('after')).toEqual([ID]);
    expect(JSON.stringify(lines)).not.toContain('leak');
  });
});
