import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { JsonObject, JsonValue, ToolAnnotations, ToolResult } from '../../domain/types';
import { effectiveHints } from '../../domain/tool-annotations';
import { jsonDigest, PreconditionFailedError, shortDigest } from '../../operations/preconditions';
import { fitsSessionPolicyLimit } from '../../operations/session-time';
import type { ExecutionContext, IamPolicyDocument, Operation, OperationOutcome, OperationPreview } from '../../operations/types';
import { parseDuration } from '../../policy/duration';
import type { ArgumentValidator } from './arguments';
import type { ToolSettings } from './config';
import { DownstreamCallError, ServerUnavailableError, ToolSchemaError, UnknownToolError } from './errors';
import { renderSessionPolicy, SessionPolicyTemplateError } from './templates';
import type { DownstreamTool } from './tools';

/*
 * A downstream MCP tool as a catalogue operation (`mcp.<server>.<tool>`): its arguments are the
 * params, checked against the tool's own inputSchema; policy, review and audit treat the call as
 * they treat any action, and only the execute activity, after approval, makes the call.
 */

/** The largest tool answer kept for the agent (it lands in workflow history); a larger one is replaced by a notice. */
export const MAX_TOOL_RESULT_BYTES = 256 * 1024;
/** Characters of the arguments shown in an action's one-line summary. */
const SUMMARY_ARGUMENT_CHARS = 200;

type ToolAnswer = { content: unknown[]; structuredContent?: unknown; isError?: unknown };

/** What the gateway's operations need of the downstream servers, as the worker and the API have them. */
export interface GatewayLink {
  /** The tool as its server lists it now, or undefined when it is gone or its server is unavailable. */
  current(name: string): DownstreamTool | undefined;
  /** Calls the tool (Downstream.callTool). */
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
  /** Calls the tool in a new process of its server with `env` over its own (Downstream.callToolInNewProcess). */
  callInNewProcess(
    name: string,
    args: Record<string, unknown>,
    env: Readonly<Record<string, string>>,
    check: (listed: DownstreamTool | undefined) => void,
  ): Promise<ToolAnswer>;
}

/** How a tool's calls get AWS credentials: none, or one-shot ones for a new process per call (`credentials: aws-one-shot`). */
export type GatewayCredentials = 'none' | 'aws-one-shot';

/** How long a call with per-call credentials may take from their issue, unless the tool's `runningTime` says. */
const DEFAULT_CALL_RUNNING_TIME_SECONDS = 60;

/** No AWS credentials: nothing to allow. Grants rules see no grant, so they never match a gateway tool. */
const NOTHING: IamPolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'] }] };

const preconditionsSchema = z.strictObject({
  /** Digest of the tool's definition when it was previewed: a tool redefined after review does not run. */
  toolSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type Preconditions = z.output<typeof preconditionsSchema>;

/** The hints policy matches: the server's, with the gateway config's per tool settings over them. */
export function effectiveAnnotations(tool: DownstreamTool, settings: ToolSettings | undefined): ToolAnnotations {
  const { title: _title, ...hints } = tool.annotations ?? {};
  const own: ToolAnnotations = {};
  for (const key of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
    const value = settings?.annotations?.[key] ?? hints[key];
    if (typeof value === 'boolean') own[key] = value;
  }
  return own;
}

/** A digest of what reviewers were shown of the tool: its name, description, schema and hints. */
export function toolDefinitionDigest(tool: DownstreamTool, annotations: ToolAnnotations): string {
  return jsonDigest({ name: tool.name, title: tool.title, description: tool.description, inputSchema: tool.inputSchema, annotations });
}

/** The catalogue entry for one downstream tool. */
export function gatewayOperation(
  tool: DownstreamTool,
  settings: ToolSettings | undefined,
  validator: ArgumentValidator,
  link: GatewayLink,
  credentials: GatewayCredentials = 'none',
): Operation<Record<string, unknown>, Preconditions> {
  const annotations = effectiveAnnotations(tool, settings);
  const hints = effectiveHints(annotations);
  const redact = new Set(settings?.redact ?? []);
  const templates = credentials === 'aws-one-shot' ? settings?.sessionPolicy : undefined;
  if (credentials === 'aws-one-shot' && !templates) throw new Error(`${tool.name}: credentials: aws-one-shot needs the tool's sessionPolicy`);
  const sessionPolicy = (args: Record<string, unknown>): IamPolicyDocument => (templates ? renderSessionPolicy(templates, args) : NOTHING);
  const params = z.record(z.string(), z.unknown()).superRefine((args, ctx) => {
    let problems;
    try {
      problems = validator.problems(tool, args);
    } catch (err) {
      // A schema Ajv cannot compile: the call is refused, never passed on unchecked.
      if (!(err instanceof ToolSchemaError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, path: [] });
      return;
    }
    for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
    if (problems.length > 0 || !templates) return;
    // Refused here, at the API, rather than after approval: arguments that cannot fill the policy, or a policy STS would refuse.
    try {
      if (!fitsSessionPolicyLimit(sessionPolicy(args)))
        ctx.addIssue({ code: 'custom', message: 'the session policy for these arguments is longer than STS allows', path: [] });
    } catch (err) {
      if (!(err instanceof SessionPolicyTemplateError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message.slice(err.message.indexOf(': ') + 2), path: err.path });
    }
  });

  const digestOf = (listed: DownstreamTool | undefined): string | undefined => listed && toolDefinitionDigest(listed, effectiveAnnotations(listed, settings));
  const digestNow = (): string | undefined => digestOf(link.current(tool.name));
  /** The new process must list the tool as reviewed: a server that changed since is not called. */
  const sameDefinition =
    (reviewed: string) =>
    (listed: DownstreamTool | undefined): void => {
      if (digestOf(listed) !== reviewed)
        throw new PreconditionFailedError(`${tool.name} is not listed as reviewed by the new process of its server; it was not called`);
    };

  return {
    name: tool.name,
    title: tool.title ?? tool.annotations?.title ?? `${tool.tool} (MCP server ${tool.server})`,
    description: tool.description ?? `The tool ${tool.tool} of the MCP server ${tool.server}.`,
    params,
    paramsJsonSchema: tool.inputSchema,
    sensitiveParams: [...redact],
    redactInAudit: [...redact],
    idempotent: settings?.idempotent ?? hints.idempotentHint,
    tool: { server: tool.server, name: tool.tool, annotations },
    // The preview reads nothing; only a call to a server with per-call credentials gets any.
    usesAwsCredentials: (purpose) => templates !== undefined && purpose === 'execute',
    runningTimeSeconds: settings?.runningTime ? parseDuration(settings.runningTime) / 1000 : DEFAULT_CALL_RUNNING_TIME_SECONDS,
    summarize: (args) => `call ${tool.tool} on MCP server ${tool.server} with ${summaryOf(args, redact)}`,
    sessionPolicy,
    previewPolicy: () => NOTHING,
    preconditions: preconditionsSchema,

    /** No I/O: what the gateway knows of the tool, as facts policy and reviewers read. */
    async preview(): Promise<OperationPreview> {
      const digest = digestNow();
      if (!digest) throw new UnknownToolError(tool.name, `server ${tool.server} does not offer it now`);
      return {
        notes: [
          `Calls ${tool.tool} on the MCP server ${tool.server} with exactly the arguments shown, once approved; nothing is sent to it before.`,
          hints.readOnlyHint ? 'Its server says it only reads (readOnlyHint).' : 'Its server does not say it only reads.',
        ],
        warnings: hints.destructiveHint
          ? [
              `${tool.name} may change or delete data: ${annotations.destructiveHint === true ? 'its server says so (destructiveHint)' : 'its server does not say otherwise'}.`,
            ]
          : [],
        facts: { server: tool.server, tool: tool.tool, ...hints },
        preconditions: { toolSha256: digest },
      };
    },

    async execute(args, context): Promise<OperationOutcome> {
      const digest = digestNow();
      if (digest !== context.preconditions.toolSha256) {
        throw new PreconditionFailedError(
          digest
            ? `${tool.name} was redefined by its server after review (definition ${shortDigest(context.preconditions.toolSha256)} reviewed, ${shortDigest(digest)} now); it was not called`
            : `${tool.name} is not offered by its server now; it was not called`,
        );
      }
      let answer;
      try {
        answer = templates
          ? await link.callInNewProcess(tool.name, args, awsEnvironment(context), sameDefinition(context.preconditions.toolSha256))
          : await link.call(tool.name, args);
      } catch (err) {
        throw callFailure(err);
      }
      return outcomeOf(tool, answer);
    },
  };
}

/**
 * The environment a per-call server process gets: the one-shot credentials and where to use them,
 * as the AWS SDKs and CLI read them (AWS_ENDPOINT_URL only for a local AWS such as moto).
 */
function awsEnvironment(context: ExecutionContext<unknown>): Record<string, string> {
  const { accessKeyId, secretAccessKey, sessionToken } = context.credentials;
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    ...(sessionToken ? { AWS_SESSION_TOKEN: sessionToken } : {}),
    AWS_REGION: context.region,
    AWS_DEFAULT_REGION: context.region,
    ...(context.endpoint ? { AWS_ENDPOINT_URL: context.endpoint } : {}),
  };
}

/** The arguments in a line: redacted ones as `[redacted]`, cut at SUMMARY_ARGUMENT_CHARS. */
function summaryOf(args: Record<string, unknown>, redact: ReadonlySet<string>): string {
  const shown = Object.fromEntries(Object.entries(args).map(([key, value]) => [key, redact.has(key) ? '[redacted]' : value]));
  const text = JSON.stringify(shown);
  return text.length > SUMMARY_ARGUMENT_CHARS ? `${text.slice(0, SUMMARY_ARGUMENT_CHARS)}…` : text;
}

/**
 * The tool's answer as the action's outcome: for the agent, the answer itself (or a notice when it
 * is too large to keep); for the audit trail, its digest and size. A tool that reported an error
 * fails the action with the tool's own text: the call ran, so it is never retried.
 */
function outcomeOf(tool: DownstreamTool, answer: { content: unknown[]; structuredContent?: unknown; isError?: unknown }): OperationOutcome {
  const result: ToolResult = {
    content: answer.content as JsonValue[],
    ...(answer.structuredContent && typeof answer.structuredContent === 'object' ? { structuredContent: answer.structuredContent as JsonObject } : {}),
    ...(answer.isError === true ? { isError: true } : {}),
  };
  const text = JSON.stringify(result);
  const bytes = Buffer.byteLength(text, 'utf8');
  const digest = jsonDigest(result);
  if (result.isError) {
    throw ApplicationFailure.create({
      type: 'tool_error',
      message: `${tool.name} reported an error: ${textOf(result).slice(0, 1000) || '(no text)'}`,
      nonRetryable: true,
    });
  }
  const outputs = { resultSha256: digest, resultBytes: bytes, contentBlocks: result.content.length };
  if (bytes > MAX_TOOL_RESULT_BYTES) {
    const notice = `${tool.name} ran and answered ${bytes} bytes, more than the gateway keeps (${MAX_TOOL_RESULT_BYTES}); its SHA-256 is ${digest}.`;
    return {
      summary: `called ${tool.tool} on MCP server ${tool.server}: answer of ${bytes} bytes not kept`,
      outputs: { ...outputs, resultKept: false },
      toolResult: { content: [{ type: 'text', text: notice }] },
    };
  }
  return { summary: `called ${tool.tool} on MCP server ${tool.server}: ${result.content.length} content blocks, ${bytes} bytes`, outputs, toolResult: result };
}

function textOf(result: ToolResult): string {
  return result.content
    .map((block) => (block && typeof block === 'object' && !Array.isArray(block) && typeof block.text === 'string' ? block.text : ''))
    .filter(Boolean)
    .join('\n');
}

/**
 * A call that did not come back with an answer. Nothing sent (server unavailable): another attempt
 * may pass. Sent with no answer: the tool may have run; the workflow retries only idempotent tools.
 */
function callFailure(err: unknown): unknown {
  if (err instanceof ServerUnavailableError) return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: false });
  if (err instanceof UnknownToolError) return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true });
  if (err instanceof DownstreamCallError) {
    const retryable = err.failure === 'no_response' || err.failure === 'http_error';
    return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: !retryable });
  }
  return err;
}
