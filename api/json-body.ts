import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors';

/**
 * The deepest nesting of arrays and objects a JSON body may have. Real requests nest a few levels;
 * the recursive validators behind the parser (zod's `z.json()`, `JSON.stringify`) overflow the
 * stack some thousands of levels down, which a 64 KiB body can reach.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * True when JSON text opens more than `max` arrays or objects inside one another. One pass, no
 * recursion; brackets inside strings do not count. Unbalanced text is judged by its openings only:
 * the parser refuses it anyway.
 */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH)
        i++; // skip the escaped character, a quote included
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_ARRAY || char === OPEN_OBJECT) {
      depth++;
      if (depth > max) return true;
    } else if (char === CLOSE_ARRAY || char === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Fastify's own JSON parser (prototype poisoning refused, as by default), behind a nesting limit
 * checked on the raw text before anything recursive sees it: too deep is a 400 `json_too_deep`.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) {
      done(new ApiError(400, 'json_too_deep', `JSON nested more than ${MAX_JSON_DEPTH} levels deep`), undefined);
      return;
    }
    void parse(request, text, done); // the default parser answers through `done`, never a promise
  });
}
