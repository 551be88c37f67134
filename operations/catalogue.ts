import { awsCall } from './aws-call/operation';
import { dynamodbExportTableToPointInTime } from './dynamodb/export-table';
import { ec2RunInstances } from './ec2/run-instances';
import { iamAttachRolePolicy } from './iam/attach-role-policy';
import { iamDetachRolePolicy } from './iam/detach-role-policy';
import { iamPutRolePolicy } from './iam/put-role-policy';
import { lambdaUpdateFunctionCode } from './lambda/update-function-code';
import { s3CopyObject } from './s3/copy-object';
import { s3ExportPrefix } from './s3/export-prefix';
import { s3PutBucketPolicy } from './s3/put-bucket-policy';
import type { Operation } from './types';
import { loadUserOperations } from './user-operations';

/** The action names no catalogue entry has. */
export class UnknownActionError extends Error {
  override readonly name = 'UnknownActionError';
  readonly code = 'unknown_action';

  constructor(
    readonly action: string,
    known: string[],
  ) {
    super(`unknown action ${JSON.stringify(action)}; known: ${known.join(', ') || '(none)'}`);
  }
}

/** Params that the operation's schema refuses; `issues` are `path: message` lines. */
export class InvalidParamsError extends Error {
  override readonly name = 'InvalidParamsError';
  readonly code = 'invalid_params';

  constructor(
    readonly action: string,
    readonly issues: string[],
  ) {
    super(`invalid params for ${action}: ${issues.join('; ')}`);
  }
}

/** An operation found by name, with its params parsed by its own schema. */
export interface ResolvedOperation {
  operation: Operation<unknown>;
  params: unknown;
}

/**
 * Operations that come and go while Airlock runs, under a name prefix of their own: the MCP
 * gateway's tools (`mcp.`), offered while their server is up. Asked on every lookup.
 */
export interface OperationSource {
  /** Every name this source gives starts with it; no operation loaded at start may. */
  prefix: string;
  get(name: string): Operation<unknown> | undefined;
  list(): Operation<unknown>[];
}

/** The privileged operations Airlock can run, by catalogue name. */
export class Catalogue {
  private readonly byName = new Map<string, Operation<unknown>>();

  constructor(
    operations: Operation<unknown>[],
    private readonly sources: readonly OperationSource[] = [],
  ) {
    for (const operation of operations) {
      if (this.byName.has(operation.name)) throw new Error(`duplicate operation ${operation.name} in the catalogue`);
      const source = sources.find((candidate) => operation.name.startsWith(candidate.prefix));
      if (source) throw new Error(`operation ${operation.name}: names starting ${source.prefix} are the MCP gateway's`);
      this.byName.set(operation.name, operation);
    }
  }

  get(name: string): Operation<unknown> | undefined {
    return this.byName.get(name) ?? this.sources.find((source) => name.startsWith(source.prefix))?.get(name);
  }

  /** Catalogue names, sorted. */
  names(): string[] {
    return this.list().map((operation) => operation.name);
  }

  /** Every operation, sorted by name: those loaded at start and those the sources offer now. */
  list(): Operation<unknown>[] {
    return [...this.byName.values(), ...this.sources.flatMap((source) => source.list())].sort(byName);
  }

  /** The operations loaded at start (built-in and AIRLOCK_OPERATIONS), without those of sources, sorted by name. */
  loadedAtStart(): Operation<unknown>[] {
    return [...this.byName.values()].sort(byName);
  }

  /** Looks the action up and parses its params; throws UnknownActionError or InvalidParamsError. */
  resolve(action: string, params: unknown): ResolvedOperation {
    const operation = this.get(action);
    if (!operation) throw new UnknownActionError(action, this.names());
    const parsed = operation.params.safeParse(params);
    if (!parsed.success) {
      throw new InvalidParamsError(
        action,
        parsed.error.issues.map((issue) => `${['params', ...issue.path.map(String)].join('.')}: ${issue.message}`),
      );
    }
    return { operation, params: parsed.data };
  }
}

function byName(a: Operation<unknown>, b: Operation<unknown>): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The built-in operations. Each lives in its own file and is listed here. */
function builtInOperations(): Operation<unknown>[] {
  return [
    s3CopyObject,
    s3ExportPrefix,
    s3PutBucketPolicy,
    ec2RunInstances,
    iamPutRolePolicy,
    iamAttachRolePolicy,
    iamDetachRolePolicy,
    dynamodbExportTableToPointInTime,
    lambdaUpdateFunctionCode,
    awsCall,
  ] as Operation<unknown>[];
}

/** The built-in operations alone. */
export function defaultCatalogue(): Catalogue {
  return new Catalogue(builtInOperations());
}

/**
 * The catalogue the worker and API run with: the built-in operations and those of the modules
 * AIRLOCK_OPERATIONS names, loaded and checked (throws OperationModuleError, naming the module).
 */
export function catalogueWith(userModules: readonly string[], sources: readonly OperationSource[] = []): Catalogue {
  const builtIns = builtInOperations();
  return new Catalogue(
    [
      ...builtIns,
      ...loadUserOperations(
        userModules,
        builtIns.map((operation) => operation.name),
      ),
    ],
    sources,
  );
}
