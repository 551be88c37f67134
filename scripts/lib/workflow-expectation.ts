import { Client, Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import type { PrivateStack } from './private-stack';
import type { WorkflowPageExpectation } from './workflow-page-check';

/**
 * What the UI page of a workflow must show, read from Temporal itself once the workflow has closed
 * (so the page says Completed). With encryption on, the stack's data converter decrypts the
 * summary and details as the API's codec does for the UI.
 */
export async function readWorkflowExpectation(stack: PrivateStack, workflowId: string): Promise<WorkflowPageExpectation> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, namespace: stack.namespace, ...(stack.dataConverter ? { dataConverter: stack.dataConverter } : {}) });
    const handle = client.workflow.getHandle(workflowId);
    await handle.result();
    const description = await handle.describe();
    const values = new Map(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    return {
      workflowId,
      summary: (await description.staticSummary()) ?? '',
      details: (await description.staticDetails()) ?? '',
      attributes: SEARCH_ATTRIBUTES.map(({ name }) => ({ name, value: values.get(name) })),
    };
  } finally {
    await connection.close();
  }
}
