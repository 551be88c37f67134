import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import { jsonDigest, shortDigest } from '../../preconditions';
import { withClient } from '../../with-client';
import { clip, noFindings, type HookContext, type HookFindings, type PreviewHook } from './hook';
import { errorName } from '../../aws-error';
import { callClientConfig } from '../sdk-client';

async function dynamoDb(context: HookContext): Promise<{ sdk: typeof DynamoDbSdk; client: DynamoDbSdk.DynamoDBClient }> {
  const sdk = await import('@aws-sdk/client-dynamodb');
  const client = new sdk.DynamoDBClient(callClientConfig('dynamodb', context));
  return { sdk, client };
}

/**
 * The item a DeleteItem, UpdateItem or PutItem (with a `Key`-shaped item) is about to delete or
 * overwrite: read with GetItem on exactly that key (the session may read only that table, and
 * only items under the key's partition key values). The item is shown clipped, with its digest.
 */
async function lookAtItem(input: Record<string, unknown>, context: HookContext, verb: 'deleted' | 'changed' | 'overwritten'): Promise<HookFindings> {
  const findings = noFindings();
  const key = input.Key;
  if (!key || typeof key !== 'object') {
    findings.notes.push('the input names no Key, so no existing item was read');
    return findings;
  }
  const { sdk, client } = await dynamoDb(context);
  return withClient(client, async (dynamodb) => {
    try {
      const { Item } = await dynamodb.send(
        new sdk.GetItemCommand({ TableName: input.TableName as string, Key: key as Record<string, DynamoDbSdk.AttributeValue>, ConsistentRead: true }),
      );
      findings.facts.itemExists = Item !== undefined;
      findings.bound = { item: Item ?? null };
      if (Item === undefined) {
        findings.notes.push(`no item has this key yet: nothing would be ${verb}`);
      } else {
        const text = JSON.stringify(Item);
        findings.facts.itemBytes = Buffer.byteLength(text, 'utf8');
        findings.facts.itemAttributes = Object.keys(Item).length;
        findings.facts.itemSha256 = jsonDigest(Item);
        findings.notes.push(`the item that would be ${verb} (${shortDigest(jsonDigest(Item))}): ${clip(text)}`);
      }
    } catch (err) {
      if (errorName(err) !== 'ResourceNotFoundException') throw err;
      findings.facts.itemExists = false;
      findings.bound = { table: 'absent' };
      findings.warnings.push(`table ${String(input.TableName)} does not exist: the call would fail`);
    }
    return findings;
  });
}

/** DynamoDB item writes: the item as it is now. */
export const dynamoDbHooks: Record<string, PreviewHook> = {
  DeleteItem: { reads: ['dynamodb:GetItem'], rechecks: true, look: (params, context) => lookAtItem(params.input, context, 'deleted') },
  UpdateItem: { reads: ['dynamodb:GetItem'], rechecks: true, look: (params, context) => lookAtItem(params.input, context, 'changed') },
};
