import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { GATEWAY_ACTION_PREFIX } from '../../domain/action-id';
import { SERVER_NAME_PATTERN, TOOL_NAME_PATTERN } from './config';

/** Every downstream tool's gateway name starts with this, so it never collides with Airlock's own actions. */
export const GATEWAY_TOOL_PREFIX = GATEWAY_ACTION_PREFIX;

/** A downstream tool as the gateway offers it: its gateway name, and the rest as its server described it. */
export interface DownstreamTool {
  /** `mcp.<server>.<tool>`. */
  name: string;
  server: string;
  /** The tool's own name on its server. */
  tool: string;
  title?: string;
  description?: string;
  inputSchema: Tool['inputSchema'];
  outputSchema?: Tool['outputSchema'];
  /** readOnlyHint, destructiveHint, idempotentHint, openWorldHint: hints from the server, not facts. */
  annotations?: Tool['annotations'];
  /** Whether the tool supports or requires MCP Tasks. */
  execution?: Tool['execution'];
}

/** `mcp.<server>.<tool>`: the name agents call and policy rules match. */
export function gatewayToolName(server: string, tool: string): string {
  return `${GATEWAY_TOOL_PREFIX}${server}.${tool}`;
}

/**
 * The server and tool of a gateway name, or undefined when it is not one. Server names have no
 * dots, so the first dot after the prefix ends the server; the tool's own name may contain dots.
 */
export function splitGatewayToolName(name: string): { server: string; tool: string } | undefined {
  if (!name.startsWith(GATEWAY_TOOL_PREFIX)) return undefined;
  const rest = name.slice(GATEWAY_TOOL_PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  const server = rest.slice(0, dot);
  return SERVER_NAME_PATTERN.test(server) ? { server, tool: rest.slice(dot + 1) } : undefined;
}

/** A tool a server listed that the gateway does not offer, and why. */
export interface SkippedTool {
  tool: string;
  reason: string;
}

/**
 * The server's tools as gateway tools. A name outside MCP's charset (spaces, `*`, `/`) would make
 * tool names and policy globs ambiguous, and a second tool of one name would make calls ambiguous:
 * both are skipped with a reason, never renamed.
 */
export function toDownstreamTools(server: string, listed: readonly Tool[]): { tools: DownstreamTool[]; skipped: SkippedTool[] } {
  const tools: DownstreamTool[] = [];
  const skipped: SkippedTool[] = [];
  const seen = new Set<string>();
  for (const tool of listed) {
    if (!TOOL_NAME_PATTERN.test(tool.name)) {
      skipped.push({ tool: tool.name, reason: 'name outside the MCP tool name characters (letters, digits, _ . -, at most 128)' });
      continue;
    }
    if (seen.has(tool.name)) {
      skipped.push({ tool: tool.name, reason: 'listed twice; the first is offered' });
      continue;
    }
    seen.add(tool.name);
    tools.push({
      name: gatewayToolName(server, tool.name),
      server,
      tool: tool.name,
      ...(tool.title === undefined ? {} : { title: tool.title }),
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: tool.inputSchema,
      ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema }),
      ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
      ...(tool.execution === undefined ? {} : { execution: tool.execution }),
    });
  }
  return { tools, skipped };
}
