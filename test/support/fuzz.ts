import fc from 'fast-check';

/**
 * Run parameters for a property. `AIRLOCK_FUZZ_RUNS` scales every property's run count (e.g. 10 for
 * a long local session); a failure prints its seed and path, and `AIRLOCK_FUZZ_SEED` with
 * `AIRLOCK_FUZZ_PATH` replays exactly that case.
 */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const scale = Number(process.env.AIRLOCK_FUZZ_RUNS ?? '1');
  const seed = process.env.AIRLOCK_FUZZ_SEED;
  const path = process.env.AIRLOCK_FUZZ_PATH;
  return {
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

/** One UTF-16 code unit from the surrogate range: unpaired, it is not valid Unicode on its own. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

/** Characters that trip naive handling: NUL, controls, bidi overrides, zero-width, BOM, astral. */
const trickyChar = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u001b',
  '\u202e',
  '\u200f',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\ufffd',
  '𝕏',
  '😀',
  '\u{10ffff}',
  '"',
  '\\',
  '%',
  '/',
  '..',
  '\r\n',
);

/** Text of every sort: printable, any code point, lone surrogates, tricky characters, and long runs. */
export const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.oneof(loneSurrogate, trickyChar, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }),
  fc.tuple(fc.constantFrom('x', 'é', '😀', '\u0000', '\u202e'), fc.integer({ min: 100, max: 20_000 })).map(([unit, times]) => unit.repeat(times)),
);

/** JSON whose strings contain lone surrogates written as escapes (`"\ud800"`): valid JSON, invalid Unicode. */
export const jsonWithLoneSurrogateEscapes: fc.Arbitrary<string> = fc
  .array(fc.integer({ min: 0xd800, max: 0xdfff }), { minLength: 1, maxLength: 8 })
  .map((units) => units.map((unit) => `\\u${unit.toString(16)}`).join(''));

/** A JSON value nested `depth` levels deep, as text (arrays, objects, or both alternating). */
export function deepJsonText(depth: number, shape: 'array' | 'object' | 'mixed'): string {
  const open = shape === 'array' ? ['['] : shape === 'object' ? ['{"a":'] : ['[', '{"a":'];
  const close = shape === 'array' ? [']'] : shape === 'object' ? ['}'] : [']', '}'];
  let head = '';
  let tail = '';
  for (let level = 0; level < depth; level++) {
    head += open[level % open.length];
    tail = close[level % close.length] + tail;
  }
  return `${head}1${tail}`;
}

/** Deeply nested JSON text, from modest to as deep as a 64 KiB body allows. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 50, max: 30_000 }), fc.constantFrom<'array' | 'object' | 'mixed'>('array', 'object', 'mixed'))
  .map(([depth, shape]) => deepJsonText(depth, shape));

/** Bytes that are not valid UTF-8: lone continuation bytes, truncated sequences, overlongs, 0xff. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc
  .array(fc.constantFrom([0x80], [0xbf], [0xc0, 0xaf], [0xe0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xfe], [0xff], [0xc3]), {
    minLength: 1,
    maxLength: 6,
  })
  .map((chunks) => Buffer.from(chunks.flat()));

/** Arbitrary JSON values, of every JSON type. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });

const REMOVED = Symbol('removed');

/**
 * A valid JSON-like value with up to `max` of its fields, at any depth, replaced by anything (any
 * JSON, odd text, null) or removed, or an unexpected field added. Runs stay close enough to valid to get past the first checks
 * and exercise the ones behind them; the result no longer has the input's type.
 */
export function mutated(valid: object, max = 2): fc.Arbitrary<unknown> {
  const paths = pathsIn(valid);
  const replacement = fc.oneof(anyJson, oddText, fc.constant(null), fc.constant(REMOVED));
  // Half the time untouched: the valid value itself is worth sending with everything else fuzzed.
  const mutations = fc.oneof(
    { weight: max, arbitrary: fc.constant([]) },
    fc.array(fc.tuple(fc.constantFrom(...paths), replacement), { minLength: 1, maxLength: max }),
  );
  return mutations.map((mutations) => {
    const copy: unknown = structuredClone(valid);
    for (const [path, value] of mutations) setAt(copy, path, value);
    return copy;
  });
}

/**
 * Every path to a value inside `value` (through objects and arrays), the root itself excluded,
 * plus a new `extra` key in each object, so that setting it adds a field nobody expects.
 */
function pathsIn(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  const extra = Array.isArray(value) ? [] : [[...prefix, 'extra']];
  return [...extra, ...Object.entries(value).flatMap(([key, inner]) => [[...prefix, key], ...pathsIn(inner, [...prefix, key])])];
}

function setAt(root: unknown, path: string[], value: unknown): void {
  let parent = root;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return; // an earlier mutation replaced this branch
    parent = (parent as Record<string, unknown>)[key];
  }
  const last = path[path.length - 1];
  if (typeof parent !== 'object' || parent === null || last === undefined) return;
  const container = parent as Record<string, unknown>;
  if (value !== REMOVED) container[last] = value;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete container[last];
}

/** Content types a client might send, right, wrong, malformed, or absent (undefined). */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json;;;',
    'application/json; charset',
    'application/vnd.api+json',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/octet-stream',
    '',
    ';',
    '*/*',
  ),
  headerText(),
);

/**
 * A header value an HTTP client can send: printable Latin-1 (what Node's parser accepts); the
 * parser itself refuses control characters with a 400 before any application code runs.
 */
export function headerText(maxLength = 80): fc.Arbitrary<string> {
  return fc.string({
    unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((code) => String.fromCharCode(code)),
    maxLength,
  });
}

/** The API's error body, when the response is one; undefined when it is not that shape. */
export function errorOf(body: string): { code: string; message: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return undefined;
  const error = (parsed as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
}
