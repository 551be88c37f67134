import { Context } from '@temporalio/activity';

/** The running activity's context; undefined when called directly (scripts, tests), where there is none. */
export function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
