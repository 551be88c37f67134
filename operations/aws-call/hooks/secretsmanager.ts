import type * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';
import { withClient } from '../../with-client';
import type { AwsCallParams } from '../params';
import { noFindings, type HookContext, type HookFindings, type PreviewHook } from './hook';
import { errorName } from '../../aws-error';
import { callClientConfig } from '../sdk-client';

/*
 * Secrets are looked at with DescribeSecret alone, never GetSecretValue: the preview shows the
 * secret's metadata (versions, dates, rotation), and nothing it finds or says holds a value.
 */

type Description = Omit<SecretsManagerSdk.DescribeSecretCommandOutput, '$metadata'>;

/** The secret's metadata, or undefined when it does not exist. */
async function describeSecret(secretId: string, context: HookContext): Promise<Description | undefined> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const client = new sdk.SecretsManagerClient(callClientConfig('secretsmanager', context));
  return withClient(client, async (secrets) => {
    try {
      const { $metadata: _, ...description } = await secrets.send(new sdk.DescribeSecretCommand({ SecretId: secretId }));
      return description;
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  });
}

const iso = (date: Date | undefined): string | null => (date ? date.toISOString() : null);

/** The version labelled AWSCURRENT: the value every reader gets now. */
function currentVersion(description: Description): string | null {
  const entry = Object.entries(description.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'));
  return entry?.[0] ?? null;
}

type Intent = (input: Record<string, unknown>, description: Description, findings: HookFindings) => void;

/**
 * A hook that describes the secret, then lets `intent` say what the call would do. Bound to the
 * current version and the last change, so a secret written or changed after the review is not
 * overwritten, rotated or deleted unseen. LastAccessedDate is left out: reading it is no change.
 */
function secretHook(intent: Intent): PreviewHook {
  return {
    reads: ['secretsmanager:DescribeSecret'],
    rechecks: true,
    look: async (params: AwsCallParams, context: HookContext) => {
      const findings = noFindings();
      const secretId = params.input.SecretId;
      if (typeof secretId !== 'string') {
        findings.notes.push('the input names no SecretId, so no secret was read');
        return findings;
      }
      const description = await describeSecret(secretId, context);
      if (!description) {
        findings.facts.secretExists = false;
        findings.bound = { secret: 'absent' };
        findings.warnings.push(`secret ${secretId} does not exist: the call would fail`);
        return findings;
      }
      const versionId = currentVersion(description);
      const lastChanged = iso(description.LastChangedDate);
      findings.facts = {
        secretExists: true,
        secretArn: description.ARN ?? null,
        currentVersionId: versionId,
        versionCount: Object.keys(description.VersionIdsToStages ?? {}).length,
        lastChangedDate: lastChanged,
        deletionScheduled: description.DeletedDate !== undefined,
        deletedDate: iso(description.DeletedDate),
        rotationEnabled: description.RotationEnabled === true,
      };
      findings.bound = { arn: description.ARN ?? null, currentVersionId: versionId, lastChangedDate: lastChanged, deletedDate: iso(description.DeletedDate) };
      findings.notes.push(
        `secret ${description.Name ?? secretId}: current version ${versionId ?? '(none)'}, ${findings.facts.versionCount} version(s), last changed ${lastChanged ?? '(never)'}`,
      );
      if (description.DeletedDate) findings.warnings.push(`the secret is scheduled for deletion on ${iso(description.DeletedDate)}: writes to it fail`);
      intent(params.input, description, findings);
      return findings;
    },
  };
}

const putValue: Intent = (input, _description, findings) => {
  const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : ['AWSCURRENT'];
  findings.notes.push(`writes a new value (not shown) as a new version labelled ${stages.join(', ')}`);
};

const update: Intent = (input, description, findings) => {
  const changes = [
    input.SecretString !== undefined || input.SecretBinary !== undefined ? 'the value (a new AWSCURRENT version, not shown)' : '',
    input.Description !== undefined ? 'the description' : '',
    input.KmsKeyId !== undefined ? `the KMS key (${description.KmsKeyId ?? 'the AWS managed key'} → ${String(input.KmsKeyId)})` : '',
  ].filter(Boolean);
  findings.notes.push(changes.length > 0 ? `changes ${changes.join('; ')}` : 'the input changes nothing the secret holds');
};

const deleteSecret: Intent = (input, _description, findings) => {
  findings.warnings.push(
    input.ForceDeleteWithoutRecovery === true
      ? 'deletes the secret at once, with no recovery window: it cannot be restored'
      : `schedules the secret for deletion; it can be restored for ${typeof input.RecoveryWindowInDays === 'number' ? input.RecoveryWindowInDays : 30} days`,
  );
};

const rotate: Intent = (input, description, findings) => {
  const lambda = typeof input.RotationLambdaARN === 'string' ? input.RotationLambdaARN : description.RotationLambdaARN;
  findings.notes.push(
    `${input.RotateImmediately === false ? 'sets up rotation (first rotation at the next scheduled window)' : 'rotates the secret now'} with ${lambda ?? 'its managed rotation'}: a new AWSCURRENT version replaces ${currentVersion(description) ?? '(none)'}`,
  );
};

/** Secrets Manager Write calls: the secret's metadata as it is now, never its value. */
export const secretsManagerHooks: Record<string, PreviewHook> = {
  PutSecretValue: secretHook(putValue),
  UpdateSecret: secretHook(update),
  DeleteSecret: secretHook(deleteSecret),
  RotateSecret: secretHook(rotate),
};
