import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { TrustedKey } from '../domain/identity-proof';
import { IDENTITY_KEYS_GLOBAL } from '../workflows/trusted-keys';

type BundleOptions = Parameters<typeof bundleWorkflowCode>[0];
/** The SDK's bundler hook type, without importing webpack (the SDK's own dependency) ourselves. */
type WebpackConfigHook = NonNullable<BundleOptions['webpackConfigHook']>;
type WebpackConfig = Parameters<WebpackConfigHook>[0];

/** Airlock's workflow code: what every worker and every bundle of Airlock's workflows is made from. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The workflow interceptors of `@temporalio/interceptors-opentelemetry`, bundled only when tracing
 * is on: a span per workflow run, Update and scheduled activity, the context carried on in the
 * activities' headers. Replay-safe: the SDK flags the package checks keep histories recorded
 * without them replaying the same way (test/replay runs them through a traced bundle too).
 */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/**
 * The modules domain/noble.ts requires (Ed25519 and SHA-2 for identity proofs), and so everything
 * they import. The reusable V8 context evaluates every other module once per cached workflow:
 * each would hold its own copy of noble and, once it verified a vote, its own Ed25519 base-point
 * table. Preloaded, they are evaluated once and shared by every workflow. Safe to share: they keep
 * no per-workflow state and use no randomness on the verifying path. Their mutable state (WeakMaps
 * of precomputed points, hash scratch buffers that each call overwrites before reading) is
 * module-private, out of reach of the SDK's deep freeze of the exports, which noble freezes itself
 * anyway. test/unit/workers/workflow-bundle.test.ts keeps this list equal to noble.ts's.
 */
export const PRELOADED_MODULES: readonly string[] = ['@noble/curves/ed25519.js', '@noble/hashes/sha2.js', '@noble/hashes/utils.js'];

/** The bundler's logger, silent but for warnings and errors, which go to stderr (a bundling process's stdout carries the bundle). */
export const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};

/**
 * A bundle of Airlock's workflows as a worker runs them: the worker's bundling process, the test
 * suites and the benchmarks all make theirs here. `failureConverterPath` with payload encryption;
 * `tracing` adds the OpenTelemetry workflow interceptors (only then: without them no span is made).
 */
export function bundleAirlockWorkflows(
  keys: readonly TrustedKey[],
  failureConverterPath?: string,
  options: { tracing?: boolean } = {},
): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: quietBundlerLogger,
    ...airlockBundlerOptions(keys),
    ...(failureConverterPath ? { failureConverterPath } : {}),
    ...(options.tracing ? { workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
  });
}

/** What a bundle of Airlock's workflows is made with, besides its path and logger. */
export interface AirlockBundlerOptions {
  webpackConfigHook: WebpackConfigHook;
  preloadModules: string[];
}

/**
 * The bundler options for Airlock's workflows, shared by createAirlockWorker (`bundlerOptions`) and
 * every `bundleWorkflowCode` call for them (tests, benchmarks), so a prebuilt bundle is made as the
 * worker would make it: the worker's identity keys written in, noble preloaded.
 */
export function airlockBundlerOptions(keys: readonly TrustedKey[]): AirlockBundlerOptions {
  const writeKeys = identityKeysBundlerHook(keys);
  return { webpackConfigHook: (config) => withoutSourceText(keepPreloadedModules(writeKeys(config))), preloadModules: [...PRELOADED_MODULES] };
}

/**
 * The bundle's inline source map without the sources' text. The SDK maps workflow stack traces
 * through the map's mappings; it reads the text only to attach it to the enhanced stack trace
 * query when `showStackTraceSources` is on, which Airlock leaves off. The text was 1.05 MB of a
 * 1.4 MB map in a 2.9 MB bundle, and each worker holds the bundle in its main thread and its
 * workflow thread.
 */
function withoutSourceText(config: WebpackConfig): WebpackConfig {
  return { ...config, devtool: 'inline-nosources-source-map' };
}

/**
 * The SDK preloads with a bare `require(…)` whose value goes unused, and noble's packages declare
 * `"sideEffects": false`: webpack then drops the call (the preload function bundles as `0;`), and
 * every workflow evaluates noble again. Marking the preloaded packages as having side effects keeps
 * the calls; the bundle holds the same modules either way.
 */
function keepPreloadedModules(config: WebpackConfig): WebpackConfig {
  const packages = [...new Set(PRELOADED_MODULES.map((specifier) => specifier.split('/').slice(0, 2).join('/')))];
  const separator = String.raw`[\\/]`;
  const test = new RegExp(`${separator}node_modules${separator}(${packages.map((name) => name.split('/').join(separator)).join('|')})${separator}`);
  return { ...config, module: { ...config.module, rules: [...(config.module?.rules ?? []), { test, sideEffects: true }] } };
}

/**
 * The webpack hook that writes the worker's identity keys into its workflow bundle, where Update
 * validators read them (workflows/trusted-keys.ts). They come from the worker's own configuration,
 * never from anything Temporal carries, and are public keys only.
 */
export function identityKeysBundlerHook(keys: readonly TrustedKey[]): WebpackConfigHook {
  const value = JSON.stringify(keys.map(({ id, publicKeyHex }) => ({ id, publicKeyHex })));
  return (config) => ({
    ...config,
    plugins: [
      ...(config.plugins ?? []),
      // The DefinePlugin of the very webpack that bundles, so no second copy of webpack is needed.
      { apply: (compiler) => new compiler.webpack.DefinePlugin({ [IDENTITY_KEYS_GLOBAL]: value }).apply(compiler) },
    ],
  });
}
