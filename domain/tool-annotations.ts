import type { ToolAnnotations } from './types';

/** The hints of MCP tool annotations that policy can match and reviewers are shown. */
export const ANNOTATION_HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;
export type AnnotationHint = (typeof ANNOTATION_HINTS)[number];

/** MCP's value for a hint a tool does not give (MCP specification, `ToolAnnotations`). */
export const ANNOTATION_HINT_DEFAULTS: Readonly<Record<AnnotationHint, boolean>> = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

/**
 * What a tool's hints say, every one decided: the declared value (a boolean), else MCP's default.
 * MCP gives destructiveHint and idempotentHint meaning only for a tool that is not read-only, so a
 * read-only tool is taken as neither destructive nor unsafe to repeat, whatever else it declares.
 */
export function effectiveHints(annotations: ToolAnnotations): Record<AnnotationHint, boolean> {
  const declared = (hint: AnnotationHint): boolean =>
    typeof annotations[hint] === 'boolean' ? (annotations[hint] as boolean) : ANNOTATION_HINT_DEFAULTS[hint];
  const readOnly = declared('readOnlyHint');
  return {
    readOnlyHint: readOnly,
    destructiveHint: readOnly ? false : declared('destructiveHint'),
    idempotentHint: readOnly ? true : declared('idempotentHint'),
    openWorldHint: declared('openWorldHint'),
  };
}
