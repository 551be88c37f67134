import type * as Ec2Sdk from '@aws-sdk/client-ec2';

let loading: Promise<typeof Ec2Sdk> | undefined;

/**
 * The EC2 client library, loaded on first use. Its model of every EC2 API costs a worker ~60 MB
 * of RSS, paid at start by every worker if imported statically, whether or not it ever launches
 * an instance. Modules of operations/ec2/ import it type-only and take its values from here.
 */
export function loadEc2Sdk(): Promise<typeof Ec2Sdk> {
  return (loading ??= import('@aws-sdk/client-ec2'));
}
