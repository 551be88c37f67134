import type { AwsCredentialIdentity } from '@smithy/types';

/** Where the executor runs AWS calls, and which role it assumes for each operation. */
export interface AwsSettings {
  region: string;
  /** ARN partition: `aws`, `aws-cn`, `aws-us-gov`, … */
  partition: string;
  /** Custom endpoint (moto, MinIO, LocalStack); undefined for real AWS. */
  endpoint?: string | undefined;
  /** The role every operation assumes, narrowed per action by a session policy. */
  executorRoleArn: string;
  /** The worker's own credentials for sts:AssumeRole; undefined means the SDK default chain. */
  baseCredentials?: AwsCredentialIdentity;
}
