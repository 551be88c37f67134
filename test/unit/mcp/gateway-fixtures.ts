import type { ActionView, CatalogueEntry, ToolResult } from '../../../client';

// A catalogue with gateway tools, and gateway actions as the API shows them: shared by the MCP unit tests.

export const WRITE_SCHEMA = {
  type: 'object',
  properties: { path: { type: 'string' }, content: { type: 'string' } },
  required: ['path', 'content'],
  additionalProperties: false,
};

export function gatewayEntry(server: string, tool: string, extra: Partial<CatalogueEntry> = {}): CatalogueEntry {
  return {
    name: `mcp.${server}.${tool}`,
    title: `${tool} title`,
    description: `${tool} description.`,
    idempotent: false,
    paramsSchema: { type: 'object', properties: {} },
    review: 'not_required',
    tool: { server, name: tool, annotations: { destructiveHint: false, readOnlyHint: true } },
    ...extra,
  };
}

export const CATALOGUE: CatalogueEntry[] = [
  {
    name: 's3.copyObject',
    title: 'Copy an object',
    description: 'Copies one S3 object.',
    idempotent: true,
    paramsSchema: { type: 'object' },
    review: 'depends_on_params',
  },
  gatewayEntry('fs', 'write_file', {
    title: 'Write file',
    description: 'Writes a file.',
    paramsSchema: WRITE_SCHEMA,
    review: 'required',
    tool: { server: 'fs', name: 'write_file', annotations: { destructiveHint: true, readOnlyHint: false, title: 'Write file' } },
  }),
  gatewayEntry('fs', 'delete_tree', { review: 'denied' }),
  gatewayEntry('tickets', 'file.create', {
    review: 'depends_on_params',
    paramsSchema: { type: 'object', properties: { airlock_justification: { type: 'number' } } },
  }),
];

/** A view of a gateway action; the rest as the API fills it for a fresh request. */
export function view(status: ActionView['status'], extra: Partial<ActionView> = {}): ActionView {
  return {
    id: 'action-mcp.fs.write_file-abcdefghjkmnpqrs',
    status,
    action: 'mcp.fs.write_file',
    params: { path: '/tmp/a', content: 'x' },
    justification: 'Save the report for finance',
    context: null,
    requester: { id: 'etl-bot', source: 'api' },
    requestedAt: '2026-01-01T00:00:00.000Z',
    summary: 'call write_file on fs',
    preview: null,
    policy: { effect: 'review', ruleId: 'review-writes', reason: 'Writes files', risk: 'medium', policyHash: 'sha256:0' },
    review: {
      approverGroups: ['ops'],
      eligibleApprovers: ['alice', 'bob'],
      quorum: 1,
      approvals: [],
      deadline: null,
      channels: ['api'],
      reminders: [],
      escalation: null,
    },
    votes: [],
    cancellation: null,
    result: null,
    error: null,
    notifications: [],
    updatedAt: '2026-01-01T00:00:00.000Z',
    closedAt: null,
    links: { self: '', decisions: '', cancel: '' },
    ...extra,
  };
}

export const TOOL_RESULT = {
  content: [
    { type: 'text', text: 'wrote 1 byte to /tmp/a' },
    { type: 'image', data: 'aGk=', mimeType: 'image/png' },
  ],
  structuredContent: { bytes: 1 },
};

export function succeeded(toolResult: ToolResult = TOOL_RESULT): ActionView {
  return view('succeeded', { result: { summary: 'called write_file on fs', outputs: {}, toolResult, completedAt: '2026-01-01T00:01:00.000Z' } });
}
