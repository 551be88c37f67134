import fc from 'fast-check';
import { jsonNestingExceeds } from '../../../api/json-body';
import { deepJsonText } from '../../support/fuzz';

/** The nesting of a parsed JSON value, counted the slow, obvious way, to check the scan against. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('jsonNestingExceeds', () => {
  it('agrees with the depth of the parsed value, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(jsonNestingExceeds(text, max)).toBe(depthOf(value) > max);
      }),
    );
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[{{{{', b: ['\\"[[[', '"{{{"'] });
    expect(jsonNestingExceeds(text, 2)).toBe(false);
    expect(jsonNestingExceeds(text, 1)).toBe(true);
  });

  it('finds the depth of arrays, objects and both, far deeper than the limit, without recursing', () => {
    for (const shape of ['array', 'object', 'mixed'] as const) {
      expect(jsonNestingExceeds(deepJsonText(64, shape), 64)).toBe(false);
      expect(jsonNestingExceeds(deepJsonText(65, shape), 64)).toBe(true);
      expect(jsonNestingExceeds(deepJsonText(1_000_000, shape), 64)).toBe(true);
    }
  });
});
