import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import { withClient } from '../../with-client';
import { noFindings, type HookContext, type HookFindings, type PreviewHook } from './hook';
import { callClientConfig } from '../sdk-client';

/*
 * Instance state changes through aws.call: each instance the input names, as DescribeInstances
 * shows it now. Not rechecked: an instance id is never reused, so the call reaches exactly the
 * instances reviewed; their state changes on its own (a stop completing, a spot interruption), which
 * a binding would turn into spurious failures; and the reference gives ec2:DescribeInstances no
 * resource type, so a recheck would let the execution session list every instance in the region.
 */

type InstanceCall = 'StopInstances' | 'StartInstances' | 'TerminateInstances' | 'RebootInstances';

/** States in which the call changes nothing for an instance (AWS answers with its current state). */
const NOTHING_TO_DO: Record<InstanceCall, readonly string[]> = {
  StopInstances: ['stopping', 'stopped', 'shutting-down', 'terminated'],
  StartInstances: ['pending', 'running'],
  TerminateInstances: ['shutting-down', 'terminated'],
  RebootInstances: [],
};

/** The ids the input names; the derivation has refused a call whose InstanceIds are not all strings. */
function instanceIds(input: Record<string, unknown>): string[] {
  const ids = input.InstanceIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * Every instance of `ids` that exists, by a filter on instance-id: DescribeInstances with
 * `InstanceIds` fails whole (InvalidInstanceID.NotFound) when one of them does not exist.
 */
async function describe(sdk: typeof Ec2Sdk, ec2: Ec2Sdk.EC2Client, ids: string[]): Promise<Ec2Sdk.Instance[]> {
  const instances: Ec2Sdk.Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new sdk.DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }], ...(NextToken ? { NextToken } : {}) }));
    instances.push(...(page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return instances;
}

function nameTag(instance: Ec2Sdk.Instance): string | undefined {
  return instance.Tags?.find((tag) => tag.Key === 'Name')?.Value;
}

/** `running: 2, stopped: 1`, by state name. */
function stateCounts(instances: Ec2Sdk.Instance[]): string {
  const counts = new Map<string, number>();
  for (const instance of instances) {
    const state = instance.State?.Name ?? 'unknown';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => `${state}: ${n}`)
    .join(', ');
}

/** EBS volumes a termination deletes with the instance (DeleteOnTermination). */
function volumesDeleted(instance: Ec2Sdk.Instance): string[] {
  return (instance.BlockDeviceMappings ?? []).flatMap((mapping) => (mapping.Ebs?.DeleteOnTermination && mapping.Ebs.VolumeId ? [mapping.Ebs.VolumeId] : []));
}

/** Each named instance: id, type, state, Name tag; ids that do not exist are warned about. */
async function lookAtInstances(call: InstanceCall, input: Record<string, unknown>, context: HookContext): Promise<HookFindings> {
  const findings = noFindings();
  const ids = instanceIds(input);
  const sdk = await import('@aws-sdk/client-ec2');
  const client = new sdk.EC2Client(callClientConfig('ec2', context));
  const instances = await withClient(client, (ec2) => describe(sdk, ec2, ids));
  const byId = new Map(instances.map((instance) => [instance.InstanceId, instance]));
  findings.facts.instanceCount = instances.length;
  findings.facts.states = stateCounts(instances);
  findings.facts.missingInstances = ids.filter((id) => !byId.has(id)).length;
  for (const id of ids) {
    const instance = byId.get(id);
    if (!instance) {
      findings.warnings.push(`${id} does not exist in ${context.region}: the call would fail (InvalidInstanceID.NotFound)`);
      continue;
    }
    const state = instance.State?.Name ?? 'unknown';
    const name = nameTag(instance);
    const already = NOTHING_TO_DO[call].includes(state) ? `: already ${state}, nothing changes for it` : '';
    findings.notes.push(
      `${id} (${instance.InstanceType ?? 'unknown type'}, ${state}${name === undefined ? ', no Name tag' : `, Name ${JSON.stringify(name)}`})${already}`,
    );
    if (call === 'TerminateInstances' && !already) {
      const volumes = volumesDeleted(instance);
      if (volumes.length > 0) findings.warnings.push(`terminating ${id} deletes its EBS volumes ${volumes.join(', ')} (DeleteOnTermination)`);
    }
  }
  return findings;
}

function hook(call: InstanceCall): PreviewHook {
  return { reads: ['ec2:DescribeInstances'], look: (params, context) => lookAtInstances(call, params.input, context) };
}

/** EC2 instance state changes: the instances as they are now. */
export const ec2Hooks: Record<string, PreviewHook> = {
  StopInstances: hook('StopInstances'),
  StartInstances: hook('StartInstances'),
  TerminateInstances: hook('TerminateInstances'),
  RebootInstances: hook('RebootInstances'),
};
