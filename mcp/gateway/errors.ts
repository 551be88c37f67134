/*
 * What can go wrong between the gateway and its downstream MCP servers, one class per condition
 * with a stable `code`: the callers (the gateway's MCP endpoint, its activities) branch on classes.
 */

/** A gateway tool name that names no configured server, or a tool its server does not offer. */
export class UnknownToolError extends Error {
  override readonly name = 'UnknownToolError';
  readonly code = 'unknown_tool';

  constructor(
    readonly tool: string,
    reason: string,
  ) {
    super(`unknown tool ${tool}: ${reason}`);
  }
}

/** A configured server that could not be started, connected to or listed. Nothing was sent to it. */
export class ServerUnavailableError extends Error {
  override readonly name = 'ServerUnavailableError';
  readonly code = 'server_unavailable';

  constructor(
    readonly server: string,
    readonly reason: string,
  ) {
    super(`MCP server ${server} is unavailable: ${reason}`);
  }
}

/**
 * How a forwarded call failed. `error_response`: the server answered with a JSON-RPC error (MCP
 * uses these for unknown tools and bad arguments; a tool's own failure is a result with isError).
 * `http_error`: an HTTP server answered the request with an error status (an expired session).
 * `no_response`: the connection was lost, refused or timed out: the tool may or may not have run.
 * `invalid_response`: the server answered with something that is not a tool result.
 */
export type DownstreamFailure = 'error_response' | 'http_error' | 'no_response' | 'invalid_response';

/** A tools/call that was sent to a downstream server and did not come back with a result. */
export class DownstreamCallError extends Error {
  override readonly name = 'DownstreamCallError';
  readonly code = 'downstream_call_failed';

  constructor(
    readonly tool: string,
    readonly failure: DownstreamFailure,
    detail: string,
    /** The JSON-RPC error code, for `error_response`. */
    readonly rpcCode?: number,
  ) {
    super(`${tool} failed (${failure.replace('_', ' ')}): ${detail}`);
  }
}

/** Arguments that do not match the tool's inputSchema; each issue is `arguments.path: problem`. */
export class InvalidArgumentsError extends Error {
  override readonly name = 'InvalidArgumentsError';
  readonly code = 'invalid_arguments';

  constructor(
    readonly tool: string,
    readonly issues: string[],
  ) {
    super(`invalid arguments for ${tool}: ${issues.join('; ')}`);
  }
}

/** A tool whose inputSchema cannot be compiled: its calls are refused rather than passed unchecked. */
export class ToolSchemaError extends Error {
  override readonly name = 'ToolSchemaError';
  readonly code = 'invalid_tool_schema';

  constructor(
    readonly tool: string,
    reason: string,
  ) {
    super(`the inputSchema of ${tool} cannot be used: ${reason}`);
  }
}
