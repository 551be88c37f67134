import type { bundleWorkflowCode } from '@temporalio/worker';
import type { TrustedKey } from '../domain/identity-proof';
import { IDENTITY_KEYS_GLOBAL } from '../workflows/trusted-keys';

/** The SDK's bundler hook type, without importing webpack (the SDK's own dependency) ourselves. */
type WebpackConfigHook = NonNullable<Parameters<typeof bundleWorkflowCode>[0]['webpackConfigHook']>;

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
