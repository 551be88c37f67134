import type { OperationContext, PreviewFact } from '../../types';
import type { AwsCallParams } from '../params';

/** What a service's preview hook found about the target of a call, for reviewers and policy. */
export interface HookFindings {
  facts: { [name: string]: PreviewFact };
  notes: string[];
  warnings: string[];
  /**
   * What the execution must still find (the item as it was): for a hook that `rechecks`, its
   * digest binds the execution, which looks again just before the call and refuses to run when
   * it differs. Leave out what changes on its own (a queue's message count).
   */
  bound?: unknown;
}

/** The context a hook reads with: the preview's read-only credentials, and the call's region. */
export type HookContext = OperationContext & { region: string };

/**
 * A read-only look at what a Write call is about to change (the item to be deleted, the function's
 * current code): written with the operations SDK, one per API operation that has a target to read.
 */
export interface PreviewHook {
  /**
   * Read-only IAM actions the look makes, each granted on the call's own resources (derived from
   * the call's input as the call's own action is), so the preview can read only the target.
   */
  reads: readonly string[];
  /**
   * The execution looks again and runs only if `bound` is unchanged: the session policy then also
   * grants `reads` (on the same resources), so what was reviewed is what the call changes.
   */
  rechecks?: boolean;
  look(params: AwsCallParams, context: HookContext): Promise<HookFindings>;
}

/** Findings of a hook with nothing to say yet. */
export function noFindings(): HookFindings {
  return { facts: {}, notes: [], warnings: [] };
}

/** At most `max` characters of text, marked when cut: previews carry what a person can read. */
export function clip(text: string, max = 600): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters in all)`;
}
