import { canonicalJson } from '../../../domain/canonical-json';
import { withClient } from '../../with-client';
import type { AwsCallParams } from '../params';
import { clip, noFindings, type HookContext, type HookFindings, type PreviewHook } from './hook';
import { errorName } from '../../aws-error';
import { callClientConfig } from '../sdk-client';

/** The queue's attributes (GetQueueAttributes, All), or undefined when it does not exist. */
async function readQueue(queueUrl: string, context: HookContext): Promise<Record<string, string> | undefined> {
  const sdk = await import('@aws-sdk/client-sqs');
  const client = new sdk.SQSClient(callClientConfig('sqs', context));
  return withClient(client, async (sqs) => {
    try {
      return (await sqs.send(new sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
    } catch (err) {
      // The JSON protocol's name, and the query protocol's older one.
      if (errorName(err) === 'QueueDoesNotExist' || errorName(err) === 'AWS.SimpleQueueService.NonExistentQueue') return undefined;
      throw err;
    }
  });
}

function count(attributes: Record<string, string>, name: string): number | null {
  const value = Number(attributes[name]);
  return attributes[name] !== undefined && Number.isFinite(value) ? value : null;
}

type Intent = (input: Record<string, unknown>, attributes: Record<string, string>, findings: HookFindings, messages: number) => void;

/**
 * A hook that reads the queue, then lets `intent` say what the call would do to it. Message
 * counts are approximate and change on their own: only `SetQueueAttributes` binds anything.
 */
function queueHook(intent: Intent, rechecks = false): PreviewHook {
  return {
    reads: ['sqs:GetQueueAttributes'],
    rechecks,
    look: async (params: AwsCallParams, context: HookContext) => {
      const findings = noFindings();
      // Derivation took the queue's name from this URL's path; the read goes to the same queue.
      const queueUrl = params.input.QueueUrl;
      if (typeof queueUrl !== 'string') {
        findings.notes.push('the input names the queue without a QueueUrl, so it was not read');
        return findings;
      }
      const attributes = await readQueue(queueUrl, context);
      if (!attributes) {
        findings.facts.queueExists = false;
        findings.bound = { queue: 'absent' };
        findings.warnings.push(`queue ${queueUrl} does not exist: the call would fail`);
        return findings;
      }
      const visible = count(attributes, 'ApproximateNumberOfMessages');
      const inFlight = count(attributes, 'ApproximateNumberOfMessagesNotVisible');
      const delayed = count(attributes, 'ApproximateNumberOfMessagesDelayed');
      findings.facts = {
        queueExists: true,
        queueArn: attributes.QueueArn ?? null,
        fifoQueue: attributes.FifoQueue === 'true',
        approximateMessages: visible,
        approximateMessagesNotVisible: inFlight,
        approximateMessagesDelayed: delayed,
      };
      const messages = (visible ?? 0) + (inFlight ?? 0) + (delayed ?? 0);
      findings.notes.push(`the queue holds about ${visible ?? '?'} messages, ${inFlight ?? '?'} in flight and ${delayed ?? '?'} delayed`);
      intent(params.input, attributes, findings, messages);
      return findings;
    },
  };
}

const purge: Intent = (_input, _attributes, findings, messages) => {
  findings.notes.push(`PurgeQueue deletes about ${messages} messages (in flight and delayed ones included), with no way back`);
  if (messages > 0) findings.warnings.push(`about ${messages} messages would be deleted`);
};

const deleteQueue: Intent = (_input, _attributes, findings, messages) => {
  findings.warnings.push(`DeleteQueue deletes the queue and about ${messages} messages in it`);
};

const send: Intent = (input, _attributes, findings) => {
  const entries = Array.isArray(input.Entries) ? input.Entries.length : 1;
  findings.facts.messagesToSend = entries;
  findings.notes.push(`adds ${entries} message${entries === 1 ? '' : 's'} to the queue`);
};

const deleteMessage: Intent = (_input, _attributes, findings) => {
  findings.notes.push('deletes the one message its receipt handle names');
};

/** `VisibilityTimeout: 30 → 60` for each attribute the input sets; bound to their values now, so no change made since is overwritten unseen. */
const setAttributes: Intent = (input, attributes, findings) => {
  const wanted = input.Attributes && typeof input.Attributes === 'object' ? (input.Attributes as Record<string, unknown>) : {};
  const current: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(wanted)) {
    current[name] = attributes[name] ?? null;
    const changed = canonicalJson(value) !== canonicalJson(attributes[name] ?? null);
    findings.notes.push(`${name}: ${clip(attributes[name] ?? '(not set)', 300)} → ${clip(String(value), 300)}${changed ? '' : ' (unchanged)'}`);
  }
  if ('Policy' in wanted) findings.warnings.push("replaces the queue's access policy");
  findings.bound = { attributes: current };
};

/** SQS Write calls: the queue as it is now. */
export const sqsHooks: Record<string, PreviewHook> = {
  PurgeQueue: queueHook(purge),
  DeleteQueue: queueHook(deleteQueue),
  SendMessage: queueHook(send),
  SendMessageBatch: queueHook(send),
  DeleteMessage: queueHook(deleteMessage),
  SetQueueAttributes: queueHook(setAttributes, true),
};
