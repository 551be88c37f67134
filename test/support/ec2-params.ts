import type { RunInstancesParams } from '../../operations/ec2/run-instances';

/** A launch the EC2 tests start from: two t3.micro in one subnet, one region. */
export const EC2_LAUNCH: RunInstancesParams = {
  accountId: '123456789012',
  region: 'eu-west-1',
  imageId: 'ami-0abcdef1234567890',
  instanceType: 't3.micro',
  subnetId: 'subnet-0123456789abcdef0',
  count: 2,
};
