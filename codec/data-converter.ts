import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import type { CodecKeyRing } from './keys';

/** Where the encrypting failure converter lives, for the worker's bundler and for clients. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter every Temporal client and worker of one deployment must share: with a key
 * ring, payloads and failure text are AES-256-GCM ciphertext in Temporal; without, the SDK default.
 */
export function airlockDataConverter(keys: CodecKeyRing | undefined): DataConverter | undefined {
  if (!keys) return undefined;
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
