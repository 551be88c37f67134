import { createHash, randomUUID } from 'node:crypto';
import { currentActivity } from '../../../activities/activity-context';

/**
 * The Message-ID of an email a workflow asks for: the same for every attempt of one scheduled
 * activity (a digest of the workflow run, the activity id, the kind and the recipient), so an
 * attempt retried after the server had in fact taken the message sends it again under the same id,
 * which mail systems and clients recognise as one message. Outside an activity (tests), a random one.
 * The domain is the sender's, as RFC 5322 suggests.
 */
export function emailMessageId(kind: 'review' | 'reminder' | 'escalation' | 'outcome', actionId: string, to: string, from: string): string {
  const info = currentActivity()?.info;
  const run = info?.workflowExecution;
  const seed = info && run ? `${run.workflowId}\n${run.runId}\n${info.activityId}` : randomUUID();
  const digest = createHash('sha256').update(`${seed}\n${actionId}\n${kind}\n${to}`, 'utf8').digest('hex').slice(0, 32);
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return `<airlock.${kind}.${digest}@${domain}>`;
}
