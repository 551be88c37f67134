import { canonicalJson } from '../../domain/canonical-json';
import { sha256 } from '../preconditions';

/**
 * Names of response fields that identify what a call made or touched (ids, ARNs, versions,
 * counts, states), and nothing else: outputs land in workflow history, the audit trail and the
 * API's answers, so a response's content (a secret's value, an item, an object's body) never
 * does. The reviewer and the agent get its digest and size instead.
 */
const IDENTIFYING_FIELD = /(Arn|ARN|Id|ID|Name|ETag|VersionId|Version|Count|Status|State|Url|Sha256|Size|RevisionId|MessageId|SequenceNumber)$/;
const MAX_OUTPUT_CHARS = 256;

/** The SDK's response, made plain: streams drained and closed, bytes and dates as text. */
export async function plainResponse(value: unknown): Promise<unknown> {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (isStream(value)) {
    // A GetObject body: its size is what the outcome records; the content is not kept.
    const bytes = await value.transformToByteArray();
    return `<${bytes.byteLength} bytes>`;
  }
  if (Array.isArray(value)) return Promise.all(value.map(plainResponse));
  if (typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) plain[key] = await plainResponse(item);
    return plain;
  }
  return value;
}

function isStream(value: unknown): value is { transformToByteArray(): Promise<Uint8Array> } {
  return typeof (value as { transformToByteArray?: unknown }).transformToByteArray === 'function';
}

/** The outputs of a call: HTTP status, request id, the response's digest and size, and its identifying scalars. */
export function responseOutputs(response: Record<string, unknown>): { [key: string]: string | number | boolean } {
  const { $metadata, ...body } = response as { $metadata?: { httpStatusCode?: number; requestId?: string } };
  const text = canonicalJson(body);
  const outputs: { [key: string]: string | number | boolean } = {
    responseSha256: sha256(text),
    responseBytes: Buffer.byteLength(text, 'utf8'),
  };
  if ($metadata?.httpStatusCode !== undefined) outputs.httpStatusCode = $metadata.httpStatusCode;
  if ($metadata?.requestId) outputs.requestId = $metadata.requestId;
  for (const [key, value] of Object.entries(body)) {
    if (!IDENTIFYING_FIELD.test(key)) continue;
    if (typeof value === 'number' || typeof value === 'boolean') outputs[key] = value;
    else if (typeof value === 'string' && value.length <= MAX_OUTPUT_CHARS) outputs[key] = value;
  }
  return outputs;
}
