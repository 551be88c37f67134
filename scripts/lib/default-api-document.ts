import type { Client } from '@temporalio/client';
import type { AuditLog } from '../../audit/audit-log';
import { IdentitySigner } from '../../api/identity-signer';
import { ApiMetrics } from '../../api/metrics';
import { buildApi, type ApiOptions } from '../../api/server';
import { newIdentityKeyPair, parseSigningKey } from '../../config/identity-keys';
import { PrincipalDirectory } from '../../config/principals';
import { defaultCatalogue } from '../../operations/catalogue';
import type { LoadedPolicy } from '../../policy';

/** The OpenAPI document an API built with these options serves, and how much is in it. */
export interface ApiDocument {
  document: Record<string, unknown> & { paths: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, unknown> } };
  operations: number;
  schemas: number;
}

// Enough of each dependency for `buildApi` to register its routes: building the document calls none of them.
const unusedClient = { options: { namespace: 'default' } } as unknown as Client;
const unusedAudit = {} as AuditLog;
const unusedPolicy = (): LoadedPolicy => {
  throw new Error('building the document reads no policy');
};

/**
 * The document of an API built with `overrides` over the default configuration, as `npm start`
 * and the container run it: the policy given (so `/v1/catalogue`), metrics on without a token,
 * Slack, Teams and the codec off. Nothing listens and nothing is connected to.
 */
export async function apiDocument(overrides: Partial<ApiOptions> = {}): Promise<ApiDocument> {
  const catalogue = defaultCatalogue();
  const app = await buildApi({
    client: unusedClient,
    catalogue,
    principals: new PrincipalDirectory([]),
    taskQueue: 'openapi',
    audit: unusedAudit,
    identity: new IdentitySigner(parseSigningKey(newIdentityKeyPair('openapi').signing, 'openapi')),
    logLevel: 'silent',
    policy: unusedPolicy,
    metrics: new ApiMetrics({ actions: catalogue.names(), processMetrics: false }),
    ...overrides,
  });
  try {
    await app.ready();
    const document = app.swagger() as ApiDocument['document'];
    return {
      document,
      operations: Object.values(document.paths).reduce((count, item) => count + Object.keys(item).length, 0),
      schemas: Object.keys(document.components?.schemas ?? {}).length,
    };
  } finally {
    await app.close();
  }
}

/** The default configuration's document: what docs/openapi.json holds. */
export function defaultApiDocument(): Promise<ApiDocument> {
  return apiDocument();
}
