import type { PrincipalRole } from '../../config/principals';
import { errorResponses, mergeErrorCodes, ROUTE_KIND_ERRORS, type ErrorCodes } from './error-responses';
import { componentRef } from './json-schema';
import type { HttpMethod, OperationObject, ParameterObject, RequestBodyObject, ResponseObject } from './types';

/** One route as the document describes it; `operation` turns it into an OpenAPI operation. */
export interface RouteDoc {
  method: HttpMethod;
  /** OpenAPI form: `/v1/actions/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  /**
   * Who may call it: roles that pass the route's role check, `any` for every authenticated
   * principal, `none` for a route that reads no API key.
   */
  access: readonly PrincipalRole[] | 'any' | 'none';
  /** When the route takes other credentials than the API key (or none): its security requirements. */
  security?: Record<string, string[]>[];
  /** Replaces the sentence `access` makes, for a route whose access rule needs more words. */
  accessNote?: string;
  rateLimited: boolean;
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  /** Success responses; errors come from `errors`, plus those of the route's kind. */
  responses: Record<string, ResponseObject>;
  errors?: ErrorCodes;
}

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/X-RateLimit-Limit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/X-RateLimit-Remaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/X-RateLimit-Reset' },
};

/** The OpenAPI operation for a route: its access rule in words and in `x-airlock-roles`, and every error it can answer. */
export function operation(route: RouteDoc): OperationObject {
  const authenticated = route.access !== 'none';
  const errors = mergeErrorCodes(
    route.errors ?? {},
    authenticated ? ROUTE_KIND_ERRORS.authenticated : {},
    Array.isArray(route.access) ? { 403: ['forbidden'] } : {},
    route.requestBody?.content['application/json'] ? ROUTE_KIND_ERRORS.jsonBody : {},
    route.rateLimited ? ROUTE_KIND_ERRORS.rateLimited : {},
    ROUTE_KIND_ERRORS.any,
  );
  const responses: Record<string, ResponseObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    if (errors[Number(status)]) throw new Error(`${route.operationId}: ${status} is both a response of its own and an error response`);
    responses[status] = route.rateLimited ? { ...response, headers: { ...response.headers, ...RATE_LIMIT_HEADERS } } : response;
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description}\n\n${route.accessNote ?? accessSentence(route.access)}`,
    tags: [route.tag],
    ...(route.security ? { security: route.security } : authenticated ? {} : { security: [] }),
    ...(Array.isArray(route.access) ? { 'x-airlock-roles': [...route.access] } : {}),
    ...(route.parameters ? { parameters: route.parameters } : {}),
    ...(route.requestBody ? { requestBody: route.requestBody } : {}),
    responses: { ...responses, ...errorResponses(errors) },
  };
}

function accessSentence(access: RouteDoc['access']): string {
  if (access === 'none') return 'Access: no API key.';
  if (access === 'any') return 'Access: any API key (every role).';
  return `Access: an API key with the role ${access.map((role) => `\`${role}\``).join(' or ')}.`;
}

/** A JSON response whose body is one component. */
export function jsonResponse(description: string, component: string): ResponseObject {
  return { description, content: { 'application/json': { schema: componentRef(component) } } };
}

/** A JSON request body that is one component. */
export function jsonBody(component: string, required: boolean): RequestBodyObject {
  return { required, content: { 'application/json': { schema: componentRef(component) } } };
}
