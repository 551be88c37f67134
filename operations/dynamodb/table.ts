import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { assertPartition } from '../arn';
import { PreconditionFailedError } from '../preconditions';
import { loadDynamoDbSdk } from './sdk';
import { type DynamoDbSender } from './client';
import { errorName } from '../aws-error';

/** One table, as its params name it. */
export interface TableRef {
  accountId: string;
  region: string;
  tableName: string;
}

/** `arn:<partition>:dynamodb:<region>:<account>:table/<name>` (the service authorization reference's `table` resource). */
export function tableArn(partition: string, table: TableRef): string {
  return `arn:${assertPartition(partition)}:dynamodb:${table.region}:${table.accountId}:table/${table.tableName}`;
}

/**
 * Which table the preview saw. A table's ARN is only its name: a table deleted and re-created
 * under the same name has the same ARN, so the ARN binds nothing. What tells them apart is the
 * table's id (a UUID DynamoDB gives each table) and its creation time. AWS returns both; moto
 * returns no id, so the creation time is compared too. Null: the preview saw no table (it did not
 * exist, or DescribeTable was refused).
 */
export const tableBinding = z
  .strictObject({
    tableId: z.string().min(1).nullable(),
    createdAt: z.string().min(1).nullable(),
  })
  .nullable();

export type TableBinding = z.infer<typeof tableBinding>;

/** The binding of a described table. */
export function bindingOf(table: TableDescription): NonNullable<TableBinding> {
  return { tableId: table.TableId ?? null, createdAt: table.CreationDateTime?.toISOString() ?? null };
}

/**
 * DescribeTable by ARN (so it names the params' account, not the caller's), or undefined when the
 * table does not exist. Anything else, a refusal included, passes through as the AWS error it is.
 */
export async function describeTableOrAbsent(dynamodb: DynamoDbSender, arn: string): Promise<TableDescription | undefined> {
  try {
    const { DescribeTableCommand } = await loadDynamoDbSdk();
    return (await dynamodb.send(new DescribeTableCommand({ TableName: arn }))).Table;
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** The table is missing, as the preview found it: the failure the export itself would meet (not retried). */
export class TableMissingError extends Error {
  override readonly name = 'ResourceNotFoundException';
  /** Classified like the AWS error (activities/aws-errors.ts): a client error, not retryable. */
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
}

function describeBinding(binding: NonNullable<TableBinding>): string {
  const parts = [binding.tableId ? `id ${binding.tableId}` : undefined, binding.createdAt ? `created ${binding.createdAt}` : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no id or creation time';
}

/**
 * Reads the table again (DescribeTable under the execute session) and refuses, with a
 * PreconditionFailedError whose message says what changed, unless it is the table the preview
 * saw: same id, same creation time. `nothing` ends the message (`nothing was exported`). A table
 * the preview did not see is refused too, unless it is still missing (then TableMissingError).
 */
export async function assertSameTable(dynamodb: DynamoDbSender, arn: string, reviewed: TableBinding, nothing: string): Promise<TableDescription> {
  const now = await describeTableOrAbsent(dynamodb, arn);
  if (reviewed === null) {
    if (!now) throw new TableMissingError(`table ${arn} does not exist (nor did it when previewed); ${nothing}`);
    throw new PreconditionFailedError(
      `table ${arn} exists now (${describeBinding(bindingOf(now))}), but the preview did not see it (it did not exist, or DescribeTable was refused), ` +
        `so no reviewed table can be used; ${nothing}. Request the action again to preview it`,
    );
  }
  if (!now) throw new PreconditionFailedError(`table ${arn} was deleted after the preview (which saw ${describeBinding(reviewed)}); ${nothing}`);
  const current = bindingOf(now);
  if (current.tableId !== reviewed.tableId || current.createdAt !== reviewed.createdAt) {
    throw new PreconditionFailedError(
      `table ${arn} is not the table the preview saw: it was deleted and re-created under the same name ` +
        `(the preview saw ${describeBinding(reviewed)}; it now has ${describeBinding(current)}); ${nothing}`,
    );
  }
  return now;
}
