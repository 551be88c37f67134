import { renderedLines, squash, type WorkflowPageExpectation } from './workflow-page-check';

/** A request's params as the demo action sends them: names to string values. */
export type RequestParams = Readonly<Record<string, string>>;

/**
 * Texts only a decrypted payload can put on a workflow's page: each line of the summary and of the
 * details (Temporal markdown, as rendered), and each param value. Search attributes are not among
 * them: Temporal keeps those in plaintext by design.
 */
export function plaintextMarkers(expected: WorkflowPageExpectation, params: RequestParams): string[] {
  return [...new Set([...renderedLines(expected.summary), ...renderedLines(expected.details), ...Object.values(params)])];
}

/** The markers `pageText` shows, in order; empty when it shows none (the payloads stayed encrypted). */
export function plaintextShown(pageText: string, markers: readonly string[]): string[] {
  const text = squash(pageText);
  return markers.filter((marker) => text.includes(squash(marker)));
}

/**
 * What the UI's Input panel fails to show of the request's params, one line each; empty when the
 * panel holds the decrypted request (JSON with `params`) and every param has its value.
 */
export function paramsMissingFromInput(inputText: string, params: RequestParams): string[] {
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch {
    return [`the Input panel holds no JSON: ${JSON.stringify(inputText.slice(0, 80))}`];
  }
  const shown = typeof input === 'object' && input !== null ? (input as { params?: unknown }).params : undefined;
  if (typeof shown !== 'object' || shown === null) return ['the Input panel shows no params'];
  const values = shown as Record<string, unknown>;
  return Object.entries(params)
    .filter(([name, value]) => values[name] !== value)
    .map(([name, value]) => `input param ${name} = ${JSON.stringify(value)} (shown: ${JSON.stringify(values[name])})`);
}
