import { startPrivateStack, type PrivateStack, type PrivateStackOptions } from './private-stack';

/**
 * Runs a script's `body` against a private stack of its own, then stops the stack and exits: 0 if
 * `body` resolved, 1 with its message if it (or `before`, run before the stack starts) threw. The stack's children share our terminal, so
 * Ctrl-C reaches them too; on any exit we stop them, or kill them if we die first.
 */
export function runWithPrivateStack(options: PrivateStackOptions, body: (stack: PrivateStack) => Promise<void>, before?: () => void): void {
  let stack: PrivateStack | undefined;
  let finishing = false;
  const finish = async (code: number): Promise<void> => {
    if (finishing) return;
    finishing = true;
    await stack?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void finish(130));
  process.on('SIGTERM', () => void finish(143));
  process.on('exit', () => stack?.processes().forEach((child) => child.running && child.child.kill('SIGKILL')));

  const run = async (): Promise<void> => {
    before?.();
    console.log(`starting Temporal (with its UI), moto, the worker and the API on free ports${options.encrypted ? ', payloads encrypted' : ''}...`);
    stack = await startPrivateStack(options);
    await body(stack);
  };
  run().then(
    () => finish(0),
    async (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      await finish(1);
    },
  );
}
