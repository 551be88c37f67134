import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmCodec } from '../codec/aes-gcm-codec';
import { newKeyEntry, parseKeyRing } from '../codec/keys';
import { describeMachine, machine, writeDocSection, writeResults } from './lib/publish';
import { count, markdownTable, textTable, type Table } from './lib/table';

/** Payload sizes Airlock writes: a request or vote, a large preview, a near-limit result. */
const SIZES = [
  { name: 'request (1 KiB)', bytes: 1024 },
  { name: 'preview (64 KiB)', bytes: 64 * 1024 },
  { name: 'large result (1 MiB)', bytes: 1024 * 1024 },
];
const MIN_SECONDS = 1;

interface SizeResult {
  name: string;
  bytes: number;
  /** Round trips a second: serialize + parse the payload (the floor every codec pays). */
  floorPerSecond: number;
  /** Round trips a second: AES-256-GCM encode + decode through the codec. */
  codecPerSecond: number;
  /** µs a payload spends in encryption and decryption, above the floor. */
  addedMicroseconds: number;
}

/**
 * What payload encryption costs per payload, against a floor that does the same serialization
 * without the cipher. Workflow latency is dominated by Temporal round trips (docs/benchmarks.md,
 * workflow), so the codec's µs show whether it could ever matter.
 */
export async function codecBenchmark(): Promise<void> {
  const codec = new AesGcmCodec(parseKeyRing(newKeyEntry('bench'), 'bench'));
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    const payload = defaultPayloadConverter.toPayload({ blob: randomBytes(Math.floor((size.bytes * 3) / 4)).toString('base64') });
    const floorPerSecond = await rate(async () => {
      temporal.api.common.v1.Payload.decode(temporal.api.common.v1.Payload.encode(payload).finish());
    });
    const codecPerSecond = await rate(async () => {
      await codec.decode(await codec.encode([payload]));
    });
    await verifyRoundTrip(codec, payload);
    results.push({ ...size, floorPerSecond, codecPerSecond, addedMicroseconds: 1e6 / codecPerSecond - 1e6 / floorPerSecond });
  }
  const table: Table = [
    ['payload', 'floor round trips/s', 'encrypted round trips/s', 'floor ÷ encrypted', 'added per payload'],
    ...results.map((result) => [
      result.name,
      count(result.floorPerSecond),
      count(result.codecPerSecond),
      `${(result.floorPerSecond / result.codecPerSecond).toFixed(1)}×`,
      `${result.addedMicroseconds.toFixed(1)} µs`,
    ]),
  ];
  console.log(textTable(table));
  const measuredOn = machine();
  console.log(`results: ${writeResults('codec', { machine: measuredOn, results })}`);
  writeDocSection(
    'codec',
    [
      '## Payload encryption: cost per payload',
      '',
      '`npm run bench -- codec`. One round trip is encode + decode of one payload. The floor',
      'serializes and parses the same payload without the cipher, as the codec does around it;',
      'the last column is the time encryption adds to each payload, which Temporal writes once and',
      'the worker reads on replay. An action writes a few dozen payloads.',
      '',
      markdownTable(table),
      '',
      `Measured on ${describeMachine(measuredOn)}.`,
    ].join('\n'),
  );
}

/** Operations a second of `operation`, run for at least MIN_SECONDS after a warm-up. */
async function rate(operation: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 200; i++) await operation();
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS) {
    for (let i = 0; i < 50; i++) await operation();
    done += 50;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return done / elapsed;
}

/** A figure for a codec that does not round-trip would be meaningless: check it once per size. */
async function verifyRoundTrip(codec: AesGcmCodec, payload: Payload): Promise<void> {
  const [back] = await codec.decode(await codec.encode([payload]));
  if (!back?.data || Buffer.compare(Buffer.from(back.data), Buffer.from(payload.data ?? [])) !== 0) {
    throw new Error('codec round trip changed the payload');
  }
}
