import { Context } from '@temporalio/activity';
import { recordCredentialIssued } from '../../activities/audit';
import type { AwsSettings } from '../../activities/aws-settings';
import { assumeOneShotRole, executorStsClient, type SessionPurpose } from '../../activities/credentials';
import { createIdentityActivities, type VerifyActionRequestInput } from '../../activities/identity';
import type { AuditLog } from '../../audit/audit-log';
import { AuditEventKind, SYSTEM_ACTOR, type AuditEventInput } from '../../domain/audit-events';
import type { TrustedKey } from '../../domain/identity-proof';
import { operationSucceededEvent } from '../../domain/operation-result-event';
import { sessionWindow } from '../../operations/session-time';
import { benchNoop } from '../lib/noop-operation';

export interface TrustFloorDeps {
  aws: AwsSettings;
  /** The trust floors' own audit store, of the same kind as Airlock's in the same run. */
  audit: AuditLog;
  /** The keys start proofs are verified with. */
  keys: readonly TrustedKey[];
}

/**
 * The trust floors' steps (trust-floor-workflows.ts): each calls what Airlock calls for the same
 * guarantee (the start proof's check, AssumeRole with a time-bound session policy, the credential's
 * record, append-only audit writes), with none of Airlock's policy, catalogue or state around it.
 */
export function createTrustFloorActivities(deps: TrustFloorDeps) {
  const sts = executorStsClient(deps.aws);
  const { verifyActionRequest } = createIdentityActivities({ identityKeys: deps.keys, audit: deps.audit });

  /** Events under ids that name this workflow run, as Airlock's are, in the order given. */
  const events = (actionId: string, actor: string, kinds: readonly AuditEventKind[]): AuditEventInput[] => {
    return kinds.map((kind, index) => ({
      eventId: `${workflowRun()}/trust-${kind}-${index}`,
      kind,
      actionId,
      actor,
      occurredAt: new Date().toISOString(),
      data: { floor: 'trust' },
    }));
  };

  /** One one-shot credential for the no-op, recorded before it could be used; the credential is then dropped. */
  const credential = async (actionId: string, purpose: SessionPurpose, approvers: string[]): Promise<void> => {
    const window = sessionWindow(new Date(), 60);
    const role = await assumeOneShotRole(sts, {
      roleArn: deps.aws.executorRoleArn,
      sessionPolicy:
        purpose === 'execute' ? benchNoop.sessionPolicy({ run: 'trust' }, deps.aws.partition) : benchNoop.previewPolicy({ run: 'trust' }, deps.aws.partition),
      notAfter: window.notAfter,
      actionId,
      action: benchNoop.name,
      requester: 'bench-trust-floor',
      approvers,
      purpose,
    });
    await recordCredentialIssued(deps.audit, {
      actionId,
      purpose,
      session: role.session,
      accessKeyId: role.credentials.accessKeyId,
      sessionPolicy: role.policy,
    });
  };

  return {
    async recordTrustEvents(input: { actionId: string; kinds: AuditEventKind[]; actor: string }): Promise<void> {
      await deps.audit.append(events(input.actionId, input.actor, input.kinds));
    },

    async admitTrustRequest(input: VerifyActionRequestInput): Promise<void> {
      const { actionId, requester } = input.request;
      await verifyActionRequest(input);
      await deps.audit.append(events(actionId, requester.id, [AuditEventKind.RequestReceived]));
      await credential(actionId, 'preview', []);
      const decided = [AuditEventKind.PreviewCompleted, AuditEventKind.PolicyDecided, AuditEventKind.ActionApproved, AuditEventKind.ExecutionStarted];
      await deps.audit.append(events(actionId, SYSTEM_ACTOR, decided));
    },

    async executeWithCredential(input: { actionId: string; approvers: string[] }): Promise<string> {
      await credential(input.actionId, 'execute', input.approvers);
      const result = { summary: 'did nothing', outputs: {}, completedAt: new Date().toISOString() };
      await deps.audit.append([operationSucceededEvent(`${workflowRun()}/trust-result`, input.actionId, result)]);
      return 'done';
    },
  };
}

/** `<workflow id>/<run id>` of the workflow whose activity is running: the trust floors' events are named by it. */
function workflowRun(): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('a trust floor activity runs only for a workflow');
  return `${execution.workflowId}/${execution.runId}`;
}

export type TrustFloorActivities = ReturnType<typeof createTrustFloorActivities>;
