import { withClient } from '../../with-client';
import type { AwsCallParams } from '../params';
import { clip, noFindings, type HookContext, type HookFindings, type PreviewHook } from './hook';
import { errorName } from '../../aws-error';
import { callClientConfig } from '../sdk-client';

/** The topic's attributes (GetTopicAttributes), or undefined when it does not exist. */
async function readTopic(topicArn: string, context: HookContext): Promise<Record<string, string> | undefined> {
  const sdk = await import('@aws-sdk/client-sns');
  const client = new sdk.SNSClient(callClientConfig('sns', context));
  return withClient(client, async (sns) => {
    try {
      return (await sns.send(new sdk.GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
    } catch (err) {
      if (errorName(err) === 'NotFoundException') return undefined;
      throw err;
    }
  });
}

function count(attributes: Record<string, string>, name: string): number | null {
  const value = Number(attributes[name]);
  return attributes[name] !== undefined && Number.isFinite(value) ? value : null;
}

type Intent = (input: Record<string, unknown>, attributes: Record<string, string>, findings: HookFindings, confirmed: number | null) => void;

/**
 * A hook that reads the topic, then lets `intent` say what the call would do. Subscription counts
 * change on their own (people confirm and unsubscribe): only `SetTopicAttributes` binds anything.
 */
function topicHook(intent: Intent, rechecks = false): PreviewHook {
  return {
    reads: ['sns:GetTopicAttributes'],
    rechecks,
    look: async (params: AwsCallParams, context: HookContext) => {
      const findings = noFindings();
      // Derivation refuses a call without TopicArn (or Name, which no call here takes alone).
      const topicArn = params.input.TopicArn;
      if (typeof topicArn !== 'string') {
        findings.notes.push('the input names the topic without a TopicArn, so it was not read');
        return findings;
      }
      const attributes = await readTopic(topicArn, context);
      if (!attributes) {
        findings.facts.topicExists = false;
        findings.bound = { topic: 'absent' };
        findings.warnings.push(`topic ${topicArn} does not exist: the call would fail`);
        return findings;
      }
      const confirmed = count(attributes, 'SubscriptionsConfirmed');
      findings.facts = {
        topicExists: true,
        topicArn: attributes.TopicArn ?? topicArn,
        fifoTopic: attributes.FifoTopic === 'true',
        subscriptionsConfirmed: confirmed,
        subscriptionsPending: count(attributes, 'SubscriptionsPending'),
      };
      intent(params.input, attributes, findings, confirmed);
      return findings;
    },
  };
}

const publish: Intent = (_input, attributes, findings, confirmed) => {
  const pending = count(attributes, 'SubscriptionsPending');
  findings.notes.push(
    `Publish reaches ${confirmed ?? 'an unknown number of'} confirmed subscriptions${pending ? ` (${pending} pending confirmation are not reached)` : ''}`,
  );
};

const deleteTopic: Intent = (_input, _attributes, findings, confirmed) => {
  findings.warnings.push(`DeleteTopic deletes the topic and its ${confirmed ?? 'unknown number of'} confirmed subscriptions`);
};

/** `DisplayName: old → new`; bound to the attribute's value now, so a change made since is not overwritten unseen. */
const setAttribute: Intent = (input, attributes, findings) => {
  const name = typeof input.AttributeName === 'string' ? input.AttributeName : '?';
  const current = attributes[name];
  const next = input.AttributeValue === undefined ? '(unset)' : String(input.AttributeValue);
  findings.notes.push(`${name}: ${clip(current ?? '(not set)', 300)} → ${clip(next, 300)}${current === next ? ' (unchanged)' : ''}`);
  if (name === 'Policy') findings.warnings.push("replaces the topic's access policy");
  findings.bound = { attribute: name, value: current ?? null };
};

/** SNS Write calls: the topic as it is now. */
export const snsHooks: Record<string, PreviewHook> = {
  Publish: topicHook(publish),
  DeleteTopic: topicHook(deleteTopic),
  SetTopicAttributes: topicHook(setAttribute, true),
};
