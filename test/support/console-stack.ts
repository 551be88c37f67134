import type { WorkflowBundle } from '@temporalio/worker';
import { freePort } from '../../net/free-port';
import { loadPolicyFile } from '../../policy';
import { devPeopleFromPolicy, type DevPerson } from '../../scripts/lib/dev-oidc-accounts';
import { startDevOidcProvider, type DevOidcProvider } from '../../scripts/lib/dev-oidc-provider';
import { startStack, TEST_POLICY_FILE, type Stack, type StackOptions } from './stack';

export interface ConsoleStack {
  stack: Stack;
  provider: DevOidcProvider;
  /** `http://127.0.0.1:<api port>`: the console is at /console. */
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * A stack with the web console, signing in at the dev identity provider npm start runs: the
 * policy's people (and `extraPeople`, known to the provider only) sign in at its dev page.
 */
export async function startConsoleStack(
  bundle: WorkflowBundle,
  options: StackOptions & { extraPeople?: DevPerson[]; sessionTtlMs?: number; sessionSecret?: string } = {},
): Promise<ConsoleStack> {
  const apiPort = await freePort();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const policy = loadPolicyFile(options.policyFile ?? TEST_POLICY_FILE);
  const provider = await startDevOidcProvider({
    people: [...devPeopleFromPolicy(policy.document), ...(options.extraPeople ?? [])],
    consoleRedirectUris: [`${baseUrl}/console/callback`],
  });
  const stack = await startStack(bundle, {
    // Channel messages (emails) link to this console unless the test says otherwise.
    consoleUrl: baseUrl,
    ...options,
    console: {
      issuer: provider.issuer,
      apiPort,
      ...(options.sessionTtlMs ? { sessionTtlMs: options.sessionTtlMs } : {}),
      ...(options.sessionSecret ? { sessionSecret: options.sessionSecret } : {}),
    },
  });
  return {
    stack,
    provider,
    baseUrl,
    async stop() {
      await stack.stop();
      await provider.stop();
    },
  };
}
