import { z } from 'zod';
import type { Catalogue } from '../../operations/catalogue';
import { payloadsBody } from '../codec/payloads-json';
import { cancelBody, createActionBody, decisionBody } from '../schemas';
import { slackInteractionPayload } from '../../channels/slack/inbound/payloads';
import { componentRef, type ComponentSet } from './json-schema';
import type { JsonSchema } from './types';

/**
 * Names the request bodies, as the API validates them. `POST /v1/actions` gets one variant per
 * catalogue operation: the API's own body schema with `action` fixed to the operation's name and
 * `params` its params schema, so a client sees exactly what each action takes. Returns the
 * `CreateActionRequest` union, which is OpenAPI rather than zod (a discriminator over the variants).
 */
export function addRequestComponents(components: ComponentSet, catalogue: Catalogue): Record<string, JsonSchema> {
  // The body's JSON value schema is recursive, so it must be a named component (see ComponentSet).
  components.add('JsonValue', createActionBody.shape.context.unwrap().valueType, { description: 'Any JSON value' });
  const mapping: Record<string, string> = {};
  for (const operation of catalogue.list()) {
    // `meta` makes a copy: two operations may share one params schema, and each gets its own component.
    const params = components.add(`ActionParams.${operation.name}`, operation.params.meta({ title: operation.title, description: operation.description }));
    const variant = `CreateActionRequest.${operation.name}`;
    components.add(variant, createActionBody.extend({ action: z.literal(operation.name), params }), {
      description: `\`POST /v1/actions\` for ${operation.name}: ${operation.title}`,
    });
    mapping[operation.name] = componentRef(variant).$ref;
  }
  components.add('DecisionRequest', decisionBody, {
    description: 'A rejection needs a `comment` giving the reason: without one, the answer is `400 invalid_request`',
  });
  components.add('CancelRequest', cancelBody);
  components.add('CodecPayloadsRequest', payloadsBody, { description: 'Temporal `Payloads` in proto3 JSON (bytes as base64); `{}` is no payloads' });
  components.add('SlackInteractionPayload', slackInteractionPayload, {
    description: 'The JSON in the `payload` form field: a button click (`block_actions`) or the reject-reason modal (`view_submission`)',
  });
  return {
    CreateActionRequest: {
      description:
        'One privileged action. `action` names a catalogue operation and decides what `params` must be. ' +
        'Beyond what the schemas say, each operation checks more (no IAM wildcards in object keys, a session policy that fits STS, …): ' +
        'such problems are answered `400 invalid_params` with every issue listed.',
      oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
      discriminator: { propertyName: 'action', mapping },
    },
  };
}
