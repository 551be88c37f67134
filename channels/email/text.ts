/**
 * Text from the action (the agent's params and justification, preview notes, names) made fit for
 * an email: no control characters that could end a header or fake a line, no bidirectional
 * overrides that could show a value other than it is, bounded lengths.
 */

/** C0 and C1 controls and DEL, bidi embeddings, overrides and isolates, line and paragraph separators. */
const UNSAFE_IN_HEADER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
/** The same, but line feeds and tabs stay: body text keeps its lines. */
const UNSAFE_IN_BODY = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** One line for a header (the subject): every control character, CR and LF first, becomes a space; at most `max` characters. */
export function headerText(text: string, max: number): string {
  const line = text.replace(UNSAFE_IN_HEADER, ' ').replace(/ {2,}/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Body text: line breaks normalized to LF, other controls removed, at most `max` characters. */
export function bodyText(text: string, max = 4000): string {
  const clean = text.replace(/\r\n?/g, '\n').replace(UNSAFE_IN_BODY, '');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/** `2026-11-21 14:00 UTC`, or the text as it is when it is not a date. */
export function utcTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? bodyText(iso, 64) : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Every line of `text` after the first indented by `indent`, so a value cannot start a line of its own. */
export function indented(text: string, indent: string): string {
  return text.split('\n').join(`\n${indent}`);
}
