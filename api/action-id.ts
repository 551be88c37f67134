import { createHash, randomBytes } from 'node:crypto';

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no look-alikes (l, 1, o, 0)

/** Action ids are the workflow ids: `action-<name>-<short id>`, readable in the Temporal UI (their shape: domain/action-id.ts). */
export function newActionId(action: string): string {
  return `action-${action}-${encode(randomBytes(10))}`;
}

/** Same requester + same Idempotency-Key → same id, so a retried request finds its workflow. */
export function idempotentActionId(action: string, requesterId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${requesterId}\n${idempotencyKey}`, 'utf8').digest();
  return `action-${action}-${encode(digest.subarray(0, 10))}`;
}

function encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ID_ALPHABET[(buffer >> bits) & 31];
    }
  }
  return out;
}
