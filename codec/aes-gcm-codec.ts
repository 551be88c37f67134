import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKeyRing } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key holding the id of the key that encrypted the payload. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * AES-256-GCM over the whole serialized payload (metadata included, so the encoding is hidden
 * too). Data is `iv ‖ ciphertext ‖ tag`; the key id is authenticated as associated data, so a
 * payload cannot be passed off as encrypted under another key.
 */
export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.encrypting;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(utf8.encode(id));
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id) },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  /** Payloads this codec did not encrypt pass through: history written before encryption was on stays readable. */
  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || utf8Decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? utf8Decoder.decode(idBytes) : '';
    const codecKey = this.keys.byId.get(id);
    if (!codecKey) throw new UnknownKeyError(id);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is too short');
    const decipher = createDecipheriv('aes-256-gcm', codecKey.key, data.subarray(0, IV_BYTES));
    decipher.setAAD(idBytes ?? new Uint8Array());
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(plaintext);
  }
}

/** A payload encrypted under a key this process does not hold (retired too early, or another deployment's). */
export class UnknownKeyError extends ValueError {
  override name = 'UnknownKeyError';
  constructor(readonly keyId: string) {
    super(`payload encrypted with unknown key id ${JSON.stringify(keyId)}`);
  }
}
