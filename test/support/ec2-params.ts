import { ec2RunInstances, type RunInstancesParams } from '../../operations/ec2/run-instances';

const [firstExample] = ec2RunInstances.examples ?? [];
if (!firstExample) throw new Error('ec2.runInstances declares no example');

/** A launch the EC2 tests start from: the operation's own first example (two t3.micro in one subnet, one region). */
export const EC2_LAUNCH: RunInstancesParams = firstExample;
