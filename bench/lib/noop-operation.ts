import { z } from 'zod';
import { Catalogue } from '../../operations/catalogue';
import type { IamPolicyDocument, Operation } from '../../operations/types';

const noopParams = z.strictObject({
  /** Says which benchmark asked; shown in summaries and the audit trail like any param. */
  run: z.string().min(1).max(64),
});

type NoopParams = z.infer<typeof noopParams>;

/**
 * The session grants nothing: the operation makes no AWS call, but STS still issues a real
 * credential for it, so the measured path keeps AssumeRole and its audit record.
 */
const GRANTS_NOTHING: IamPolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'BenchNoop', Effect: 'Deny', Action: ['*'], Resource: ['*'] }],
};

/**
 * `bench.noop`: a catalogue entry whose preview and execution do nothing, so a benchmark measures
 * Airlock's own path (policy, preview and execute sessions, audit writes, the Update validator),
 * not S3 or EC2.
 */
export const benchNoop: Operation<NoopParams> = {
  name: 'bench.noop',
  title: 'Benchmark no-op',
  description: 'Does nothing with one-shot credentials that grant nothing (benchmarks only).',
  params: noopParams,
  idempotent: true,
  summarize: (params) => `do nothing (${params.run})`,
  sessionPolicy: () => GRANTS_NOTHING,
  execute: () => Promise.resolve({ summary: 'did nothing', outputs: {} }),
  previewPolicy: () => GRANTS_NOTHING,
  preview: () => Promise.resolve({ facts: {}, notes: ['does nothing'], warnings: [] }),
};

/** The catalogue the workflow benchmark's worker and API run with: the no-op alone. */
export function benchCatalogue(): Catalogue {
  return new Catalogue([benchNoop]);
}
