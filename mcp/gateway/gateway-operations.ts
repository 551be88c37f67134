import type { OperationSource } from '../../operations/catalogue';
import type { Operation } from '../../operations/types';
import { ArgumentValidator } from './arguments';
import type { GatewayConfig } from './config';
import { Downstream } from './downstream';
import { loadGatewayConfig } from './load';
import { gatewayOperation, type GatewayLink } from './operation';
import { GATEWAY_TOOL_PREFIX, type DownstreamTool } from './tools';

/** How often servers that could not be reached are tried again, so their tools appear without a restart. */
const RETRY_UNAVAILABLE_MS = 30_000;

/**
 * The downstream servers' tools as catalogue operations, for the worker (which calls them) and the
 * API (which validates, lists and describes them). Asked on every lookup: a tool appears when its
 * server is reachable and relisted, and goes when it does not. One operation per listing of a tool,
 * so its compiled schema is reused until the server redefines the tool.
 */
export class GatewayOperations implements OperationSource {
  readonly prefix = GATEWAY_TOOL_PREFIX;
  private readonly operations = new WeakMap<DownstreamTool, Operation<unknown>>();
  private readonly validator = new ArgumentValidator();
  private readonly link: GatewayLink;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: GatewayConfig,
    readonly downstream: Downstream,
  ) {
    this.link = {
      current: (name) => downstream.tool(name),
      call: (name, args) => downstream.callTool(name, args),
      callInNewProcess: (name, args, env, check) => downstream.callToolInNewProcess(name, args, env, check),
    };
  }

  /** Loads the gateway file, connects to its servers (a server that fails is logged and retried, never fatal). */
  static async start(file: string, log?: (message: string) => void): Promise<GatewayOperations> {
    const config = loadGatewayConfig(file);
    const downstream = await Downstream.start(config, log ? { log } : {});
    const gateway = new GatewayOperations(config, downstream);
    gateway.retryTimer = setInterval(() => void downstream.retryUnavailable(), RETRY_UNAVAILABLE_MS).unref();
    return gateway;
  }

  get(name: string): Operation<unknown> | undefined {
    const tool = this.downstream.tool(name);
    return tool && this.offered(tool) ? this.operationOf(tool) : undefined;
  }

  list(): Operation<unknown>[] {
    return this.downstream
      .tools()
      .filter((tool) => this.offered(tool))
      .map((tool) => this.operationOf(tool));
  }

  /** A server with per-call credentials offers only the tools whose session policy the config declares. */
  private offered(tool: DownstreamTool): boolean {
    const server = this.config.server(tool.server);
    return !(server?.transport === 'stdio' && server.credentials === 'aws-one-shot' && !server.tools[tool.tool]?.sessionPolicy);
  }

  /** Stops retrying and closes every connection (stdio servers have exited when it resolves). */
  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.downstream.close();
  }

  private operationOf(tool: DownstreamTool): Operation<unknown> {
    let operation = this.operations.get(tool);
    if (!operation) {
      const server = this.config.server(tool.server);
      const credentials = server?.transport === 'stdio' ? server.credentials : 'none';
      operation = gatewayOperation(tool, server?.tools[tool.tool], this.validator, this.link, credentials) as Operation<unknown>;
      this.operations.set(tool, operation);
    }
    return operation;
  }
}
