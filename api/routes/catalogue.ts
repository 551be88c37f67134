import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Catalogue } from '../../operations/catalogue';
import type { LoadedPolicy } from '../../policy';
import { bearerAccess, caller, operation } from '../access';
import type { Authenticator } from '../authenticator';
import { catalogueForAgents } from '../catalogue-view';
import { catalogue } from '../response-schemas';
import { errorResponses, json } from '../route-responses';

export interface CatalogueRoutesDeps {
  catalogue: Catalogue;
  auth: Authenticator;
  /** The policy loaded now: the review outlook follows it. */
  policy: () => LoadedPolicy;
}

/** `GET /v1/catalogue`: what an agent may ask for, and whether its requests will be reviewed. */
export async function catalogueRoutes(scope: FastifyInstance, deps: CatalogueRoutesDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const entries = catalogueForAgents(deps.catalogue);
  const access = bearerAccess(deps.auth, ['requester', 'reviewer', 'admin', 'auditor']);
  app.get(
    '/v1/catalogue',
    {
      preValidation: access.check,
      schema: {
        ...operation({
          id: 'getCatalogue',
          tag: 'actions',
          summary: 'What an agent may ask for',
          description:
            "Every catalogue operation with the JSON Schema of its params, and `review`: what the policy loaded now makes of the caller's own requests " +
            '(`required`, `not_required`, `denied` or `depends_on_params`). Registered when the API is given the policy, as `npm start` and the container do.',
          access,
        }),
        response: { 200: json('The catalogue, for the caller', catalogue), ...errorResponses(access.errors) },
      },
    },
    async (request) => {
      const policy = deps.policy();
      return { policyHash: policy.hash, items: entries(policy, caller(request).id) };
    },
  );
}
