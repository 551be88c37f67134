import type { FastifyInstance } from 'fastify';
import type { PrincipalDirectory } from '../../config/principals';
import type { Catalogue } from '../../operations/catalogue';
import type { LoadedPolicy } from '../../policy';
import { authenticate, requireRole } from '../auth';
import { catalogueForAgents } from '../catalogue-view';

export interface CatalogueRoutesDeps {
  catalogue: Catalogue;
  principals: PrincipalDirectory;
  /** The policy loaded now: the review outlook follows it. */
  policy: () => LoadedPolicy;
}

/** `GET /v1/catalogue`: what an agent may ask for, and whether its requests will be reviewed. */
export async function catalogueRoutes(app: FastifyInstance, deps: CatalogueRoutesDeps): Promise<void> {
  const entries = catalogueForAgents(deps.catalogue);
  app.get('/v1/catalogue', async (request) => {
    const principal = authenticate(deps.principals, request);
    requireRole(principal, 'requester', 'reviewer', 'admin', 'auditor');
    const policy = deps.policy();
    return { policyHash: policy.hash, items: entries(policy, principal.id) };
  });
}
