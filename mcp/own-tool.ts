import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError, type CallToolResult, type ServerNotification, type ServerRequest, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** What a tool call's handler gets besides its arguments: the abort signal, progress token, notifications. */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** One of Airlock's own tools: its tools/list entry, and its call with arguments not yet checked. */
export interface OwnTool {
  readonly definition: Tool;
  call(args: unknown, extra: ToolExtra): Promise<CallToolResult>;
}

interface OwnToolSpec<I extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** Absent for a tool without arguments: then they are not checked, as McpServer did. */
  input?: I;
  output: z.ZodObject;
  annotations: NonNullable<Tool['annotations']>;
  run(args: z.output<I>, extra: ToolExtra): Promise<CallToolResult>;
}

/** What McpServer lists for a tool without an input schema. */
const NO_ARGUMENTS: Tool['inputSchema'] = { type: 'object', properties: {} };

/** A protocol error's text as a tool result, the way McpServer answers a bad call: the model reads it and can fix the call. */
export function callError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: new McpError(ErrorCode.InvalidParams, message).message }] };
}

/** McpServer's answer to a tool name it does not know. */
export function toolNotFound(name: string): CallToolResult {
  return callError(`Tool ${name} not found`);
}

/** McpServer's answer to arguments that break the tool's input schema: each issue, with its path. */
export function invalidArguments(name: string, error: z.ZodError): CallToolResult {
  const issues = error.issues.map((issue) => (issue.path.length > 0 ? `${issue.message} at ${dotPath(issue.path)}` : issue.message));
  return callError(`Input validation error: Invalid arguments for tool ${name}: ${issues.join('\n')}`);
}

/** `params.items[0].name`, as the SDK writes a path. */
function dotPath(path: readonly PropertyKey[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}

/**
 * A tool defined by zod schemas, as McpServer.registerTool took it: listed with the JSON Schemas
 * McpServer made of them (draft-07, input and output sides), its arguments checked before `run`.
 */
export function ownTool<I extends z.ZodObject>(spec: OwnToolSpec<I>): OwnTool {
  const definition: Tool = {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    // zod's JSON Schema type is wider than MCP's object schema; both schemas are z.object, so the result is one.
    inputSchema: spec.input ? (z.toJSONSchema(spec.input, { target: 'draft-7', io: 'input' }) as Tool['inputSchema']) : NO_ARGUMENTS,
    outputSchema: z.toJSONSchema(spec.output, { target: 'draft-7', io: 'output' }) as Tool['outputSchema'],
    annotations: spec.annotations,
    execution: { taskSupport: 'forbidden' },
  };
  return {
    definition,
    async call(args, extra) {
      if (!spec.input) return spec.run({} as z.output<I>, extra); // no input schema: nothing to check or pass
      const parsed = await spec.input.safeParseAsync(args ?? {});
      if (!parsed.success) return invalidArguments(spec.name, parsed.error);
      return spec.run(parsed.data, extra);
    },
  };
}
