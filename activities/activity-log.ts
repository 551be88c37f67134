import { Context } from '@temporalio/activity';

/** Activity logger when running as an activity; silent when called directly (scripts, tests). */
export function logInfo(message: string, meta: Record<string, string>): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.log.info(message, meta);
}
