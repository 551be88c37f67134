/** A search attribute value as the Temporal client reads it (Keyword, KeywordList, Datetime, …). */
export type AttributeValue = string | string[] | number | boolean | Date;

/** What the Temporal UI page of one workflow must show, read from Temporal itself. */
export interface WorkflowPageExpectation {
  workflowId: string;
  /** Static summary and details, in Temporal markdown. */
  summary: string;
  details: string;
  /** Every attribute of SEARCH_ATTRIBUTES; `undefined` when the workflow has none set. */
  attributes: { name: string; value: AttributeValue | undefined }[];
}

/** What the page showed. */
export interface RenderedWorkflowPage {
  /** Visible text of the page and of its frames (the UI renders summary and details in iframes). */
  text: string;
  /** The Search Attributes tab's JSON, parsed. */
  searchAttributes: Record<string, unknown>;
}

/**
 * What the page fails to show, one line each; empty when it shows everything. A screenshot is
 * only written when this is empty, so a picture never claims what the UI did not render.
 */
export function whatPageLacks(page: RenderedWorkflowPage, expected: WorkflowPageExpectation): string[] {
  const text = squash(page.text);
  const lacks: string[] = [];
  if (!text.includes(expected.workflowId)) lacks.push(`the workflow id ${expected.workflowId}`);
  for (const line of renderedLines(expected.summary)) if (!text.includes(line)) lacks.push(`summary line "${line}"`);
  for (const line of renderedLines(expected.details)) if (!text.includes(line)) lacks.push(`details line "${line}"`);
  for (const { name, value } of expected.attributes) {
    if (value === undefined) {
      lacks.push(`search attribute ${name}: the workflow has no value for it`);
    } else if (!(name in page.searchAttributes)) {
      lacks.push(`search attribute ${name}`);
    } else if (!sameValue(page.searchAttributes[name], value)) {
      lacks.push(`search attribute ${name} = ${JSON.stringify(value)} (shown: ${JSON.stringify(page.searchAttributes[name])})`);
    } else if (!text.includes(name)) {
      lacks.push(`search attribute ${name} in the page text`);
    }
  }
  return lacks;
}

/** Temporal markdown as it reads once rendered: no emphasis or code marks, no list bullets, blank lines dropped. */
export function renderedLines(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => squash(line.replace(/\*\*|__|`/g, '').replace(/^\s*[-*+]\s+/, '')))
    .filter((line) => line.length > 0);
}

/** Text as one line, for comparing: the UI's markdown renderer curls quotes, so they are made straight again. */
export function squash(text: string): string {
  return text
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** The UI shows JSON: a Datetime as an RFC 3339 string with as many fraction digits as it needs. */
function sameValue(shown: unknown, value: AttributeValue): boolean {
  if (value instanceof Date) return typeof shown === 'string' && Date.parse(shown) === value.getTime();
  return JSON.stringify(shown) === JSON.stringify(value);
}
