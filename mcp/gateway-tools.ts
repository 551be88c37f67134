import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogueEntry } from '../client';

/**
 * The API's gateway actions (`mcp.<server>.<tool>`, catalogue entries with a `tool`) as tools of
 * this MCP server, named `<server>__<tool>`: model APIs (Claude's, OpenAI's) refuse dots in tool
 * names, and server names have no `_`, so the first `__` ends the server.
 */

/** A catalogue entry that fronts a downstream MCP tool. */
export type GatewayEntry = CatalogueEntry & { tool: NonNullable<CatalogueEntry['tool']> };

/** The argument the agent gives its reasons in; stripped before the tool's arguments go to the API. */
export const JUSTIFICATION_ARGUMENT = 'airlock_justification';

/** The API's bounds on a justification. */
export const JUSTIFICATION_MIN = 10;
export const JUSTIFICATION_MAX = 2000;

const JUSTIFICATION_SCHEMA = {
  type: 'string',
  minLength: JUSTIFICATION_MIN,
  maxLength: JUSTIFICATION_MAX,
  description: `Why this call is needed, shown to the human reviewers and kept in Airlock's audit trail (${JUSTIFICATION_MIN}-${JUSTIFICATION_MAX} characters)`,
};

/** What Airlock does with this agent's calls, as the last line of the tool's description. */
const OUTLOOK: Record<CatalogueEntry['review'], string> = {
  required: `Airlock: humans review each call before it runs (the call waits for their decision); say why in ${JUSTIFICATION_ARGUMENT}.`,
  not_required: 'Airlock: runs at once, no review.',
  denied: 'Airlock: denied by policy for this agent; do not call.',
  depends_on_params: `Airlock: depending on the arguments, reviewed by humans (the call waits for their decision) or run at once; say why in ${JUSTIFICATION_ARGUMENT}.`,
};

export function isGatewayEntry(entry: CatalogueEntry): entry is GatewayEntry {
  return entry.tool !== undefined;
}

/**
 * What model APIs accept as a tool name (Anthropic's and OpenAI's: letters, digits, `_` and `-`, at
 * most 64): one name outside it makes such an API refuse the agent's whole tool list.
 */
const MODEL_TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `<server>__<tool>`, the name this MCP server offers the tool under, with any `.` of the tool's own
 * name written `_` (MCP allows dots; model APIs do not). A call finds its tool by this name in the
 * catalogue, never by taking the name apart, so the rewriting needs no way back.
 */
export function upstreamToolName(entry: GatewayEntry): string {
  return `${entry.tool.server}__${entry.tool.name.replace(/\./g, '_')}`;
}

/** Whether the tool can be offered at all: a name over 64 characters cannot be, and is left out. */
function offerable(entry: GatewayEntry): boolean {
  return MODEL_TOOL_NAME.test(upstreamToolName(entry));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the downstream tool has an argument of the justification's name: then it is the tool's, passed on as it is. */
export function takesOwnJustification(entry: GatewayEntry): boolean {
  const properties = entry.paramsSchema['properties'];
  return isObject(properties) && Object.hasOwn(properties, JUSTIFICATION_ARGUMENT);
}

/** The downstream inputSchema with the optional justification added (never required). */
function inputSchema(entry: GatewayEntry): Tool['inputSchema'] {
  const schema: Tool['inputSchema'] = { ...entry.paramsSchema, type: 'object' };
  if (takesOwnJustification(entry)) return schema;
  const properties = isObject(entry.paramsSchema['properties']) ? entry.paramsSchema['properties'] : {};
  return { ...schema, properties: { ...properties, [JUSTIFICATION_ARGUMENT]: JUSTIFICATION_SCHEMA } };
}

/** The hints as given, without the keys JSON would drop anyway. */
function annotations(entry: GatewayEntry): Tool['annotations'] {
  return Object.fromEntries(Object.entries(entry.tool.annotations).filter(([, value]) => value !== undefined));
}

/**
 * The gateway tool's tools/list entry. Its outputSchema is not passed on: a call still waiting for
 * review answers without the tool's structuredContent, which MCP forbids for a tool that declares one.
 * A client may call it as an MCP task (mcp/gateway-tasks.ts), or plainly.
 */
export function gatewayToolDefinition(entry: GatewayEntry): Tool {
  const description = [entry.description, OUTLOOK[entry.review] ?? `Airlock: review ${entry.review}.`].filter(Boolean).join('\n\n');
  return {
    name: upstreamToolName(entry),
    ...(entry.title ? { title: entry.title } : {}),
    description,
    inputSchema: inputSchema(entry),
    annotations: annotations(entry),
    execution: { taskSupport: 'optional' },
  };
}

/** The catalogue's gateway tools a model API can take, each once (the first of a name, should two ever map to one: `a.b` and `a_b`). */
export function gatewayToolDefinitions(catalogue: readonly CatalogueEntry[]): Tool[] {
  const seen = new Set<string>();
  return catalogue.filter(isGatewayEntry).flatMap((entry) => {
    if (!offerable(entry)) return [];
    const name = upstreamToolName(entry);
    if (seen.has(name)) return [];
    seen.add(name);
    return [gatewayToolDefinition(entry)];
  });
}

/** The gateway entry a tools/call name means, if this agent's catalogue has it. */
export function findGatewayEntry(catalogue: readonly CatalogueEntry[], name: string): GatewayEntry | undefined {
  return catalogue.filter(isGatewayEntry).find((entry) => offerable(entry) && upstreamToolName(entry) === name);
}

/** Could `name` be a gateway tool at all? Spares the API a catalogue read for names that cannot be. */
export function looksLikeGatewayTool(name: string): boolean {
  return MODEL_TOOL_NAME.test(name) && /^[a-z][a-z0-9-]{0,31}__./.test(name);
}
