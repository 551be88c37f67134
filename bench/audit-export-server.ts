import Fastify from 'fastify';
import type { AuditRecord } from '../audit/audit-log';
import { openAuditLog } from '../audit/open-store';
import { authenticateApiKey, requireRole } from '../api/auth';
import { Authenticator } from '../api/authenticator';
import { installErrorHandling } from '../api/errors';
import { auditRoutes } from '../api/routes/audit';
import { installZodValidation } from '../api/zod-validation';
import { hashApiKey, PrincipalDirectory } from '../config/principals';
import { EXPORT_PATHS, RSS_PATH, SERVER_ENV, type RssSample } from './lib/export-protocol';

/**
 * Child process of the audit export benchmark, so its memory is measured alone: the real
 * `GET /v1/audit` route on the store in BENCH_AUDIT_URL, a deliberately buffering variant of it
 * for contrast, and `GET /bench/rss`. Prints `{"port":…}` once listening; exits on SIGTERM.
 */
async function main(): Promise<void> {
  const url = requiredEnv(SERVER_ENV.auditUrl);
  const key = requiredEnv(SERVER_ENV.auditorKey);
  const principals = new PrincipalDirectory([{ id: 'bench-auditor', roles: ['auditor'], keySha256: hashApiKey(key) }]);
  const audit = await openAuditLog(url);
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  installZodValidation(app); // as buildApi does: the routes declare zod schemas
  // The export is what is measured; proofs are checked only by /v1/audit/verify, which the bench does not call.
  await app.register(auditRoutes, { audit, auth: new Authenticator(principals), identityKeys: [] });

  // What the streaming route avoids: every record in memory, then one body.
  app.get(EXPORT_PATHS.buffered, async (request, reply) => {
    requireRole(authenticateApiKey(principals, request), 'auditor');
    const records: AuditRecord[] = [];
    for await (const record of audit.records()) records.push(record);
    return reply.type('application/x-ndjson; charset=utf-8').send(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  });

  app.get(RSS_PATH, async (): Promise<RssSample> => {
    globalThis.gc?.(); // with --expose-gc: the baseline is live memory, not garbage left from start-up
    return { rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 };
  });

  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => audit.close())
      .then(() => process.exit(0));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening on a TCP port');
  console.log(JSON.stringify({ port: address.port }));
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
