import { randomUUID } from 'node:crypto';
import type { rawHttpClient } from './raw-http';

/**
 * A copy that needs two approvals, requested by etl-bot over raw HTTP, once it is pending review:
 * the fixed target the channel fuzz tests click at.
 */
export async function createPendingAction(http: ReturnType<typeof rawHttpClient>, keys: Record<string, string>): Promise<string> {
  const created = await http.send({
    method: 'POST',
    path: '/v1/actions',
    headers: { authorization: `Bearer ${keys['etl-bot']}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      action: 's3.copyObject',
      params: {
        sourceBucket: 'airlock-src',
        sourceKey: 'fuzz/source.csv',
        destinationBucket: 'airlock-exports',
        destinationKey: `quorum-2/${randomUUID()}.csv`,
      },
      justification: 'The quarterly report needs this copy',
    }),
  });
  if (created.statusCode !== 202) throw new Error(`request answered ${created.statusCode}: ${created.body.slice(0, 300)}`);
  const id: string = JSON.parse(created.body).id;
  for (let attempt = 0; attempt < 200; attempt++) {
    const read = await http.send({ method: 'GET', path: `/v1/actions/${id}`, headers: { authorization: `Bearer ${keys.bob}` } });
    if (JSON.parse(read.body).status === 'pending_review') return id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${id} never reached pending_review`);
}
