import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, UnknownKeyError } from '../../../codec/aes-gcm-codec';
import { newKeyEntry, parseKeyRing } from '../../../codec/keys';

const text = new TextDecoder();
const params = { bucket: 'reports', key: 'payroll/2026-11.csv', marker: 'plaintext-marker-7f3a' };

function payloadOf(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}

function bytesContain(payload: Payload, needle: string): boolean {
  return (
    Buffer.from(payload.data ?? []).includes(Buffer.from(needle)) ||
    Object.values(payload.metadata ?? {}).some((value) => Buffer.from(value).includes(Buffer.from(needle)))
  );
}

describe('AesGcmCodec', () => {
  const ring = parseKeyRing(`${newKeyEntry('k2')},${newKeyEntry('k1')}`, 'test');
  const codec = new AesGcmCodec(ring);

  it('encrypts the whole payload under the first key and decrypts it back unchanged', async () => {
    const original = payloadOf(params);
    const [encrypted] = await codec.encode([original]);
    expect(text.decode(encrypted?.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text.decode(encrypted?.metadata?.[KEY_ID_METADATA])).toBe('k2');
    expect(bytesContain(encrypted!, 'plaintext-marker-7f3a')).toBe(false);
    expect(bytesContain(encrypted!, 'json/plain')).toBe(false); // the inner encoding is hidden too
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(params);
  });

  it('uses a fresh IV each time, so equal params do not look equal', async () => {
    const [a, b] = await codec.encode([payloadOf(params), payloadOf(params)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('decrypts payloads written under an older key after a rotation, and writes under the new one', async () => {
    const old = parseKeyRing(newKeyEntry('k0'), 'old');
    const [written] = await new AesGcmCodec(old).encode([payloadOf(params)]);
    const rotated = new AesGcmCodec(parseKeyRing(`${newKeyEntry('k1')},k0:${old.encrypting.key.toString('base64')}`, 'rotated'));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([written!]))[0]!)).toEqual(params);
    const [rewritten] = await rotated.encode([payloadOf(params)]);
    expect(text.decode(rewritten?.metadata?.[KEY_ID_METADATA])).toBe('k1');
  });

  it('refuses a payload under a key it does not hold, naming the key id', async () => {
    const [foreign] = await new AesGcmCodec(parseKeyRing(newKeyEntry('elsewhere'), 'x')).encode([payloadOf(params)]);
    await expect(codec.decode([foreign!])).rejects.toThrow(UnknownKeyError);
    await expect(codec.decode([foreign!])).rejects.toThrow(/elsewhere/);
  });

  it('refuses tampered ciphertext and a payload relabelled with another key id', async () => {
    const [encrypted] = await codec.encode([payloadOf(params)]);
    const flipped = Buffer.from(encrypted!.data!);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    await expect(codec.decode([{ ...encrypted!, data: flipped }])).rejects.toThrow();
    // Same key bytes under two ids: the id is authenticated, so relabelling fails even then.
    const key = ring.encrypting.key.toString('base64');
    const twins = new AesGcmCodec(parseKeyRing(`a:${key},b:${key}`, 'twins'));
    const [underA] = await twins.encode([payloadOf(params)]);
    const relabelled = { ...underA!, metadata: { ...underA!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('b') } };
    await expect(twins.decode([relabelled])).rejects.toThrow();
  });

  it('passes payloads it did not encrypt through, so history from before encryption stays readable', async () => {
    const plain = payloadOf(params);
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});
