/**
 * HTML for email bodies in which nothing can be forgotten: the `html` template tag escapes every
 * value it is given, unless the value is itself markup this module made. Agent-supplied text (params,
 * the justification, preview notes) therefore always arrives as text, never as tags, attributes or
 * links.
 */

/** Markup made by `html`: the only thing inserted unescaped. */
export class Html {
  constructor(readonly markup: string) {}
}

/** What a template may hold: text (escaped), markup, or lists of markup (joined). */
export type HtmlValue = string | number | Html | readonly Html[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** A template of markup whose every value is escaped (text) or kept (markup made here). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += markupOf(value) + (strings[index + 1] ?? '');
  });
  return new Html(markup);
}

function markupOf(value: HtmlValue): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map((item: Html) => item.markup).join('');
  return escapeHtml(String(value));
}
