import { currentActivity } from './activity-context';

/** Activity logger when running as an activity; silent when called directly (scripts, tests). */
export function logInfo(message: string, meta: Record<string, string>): void {
  currentActivity()?.log.info(message, meta);
}

/** As logInfo, at warning level: something the operator should see, that the action survived. */
export function logWarn(message: string, meta: Record<string, string>): void {
  currentActivity()?.log.warn(message, meta);
}
