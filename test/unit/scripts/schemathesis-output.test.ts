import { unframedSchemathesisLine } from '../../../scripts/lib/schemathesis-output';

describe('unframedSchemathesisLine', () => {
  it('drops the pytest-like frame of the closing line, keeping its words', () => {
    const line = unframedSchemathesisLine('============================= 1 warning in 36.79s ==============================');
    expect(line).toBe('schemathesis · 1 warning in 36.79s');
    expect(line).not.toMatch(/^=+ .* =+$/);
  });

  it('drops the frame of section titles too', () => {
    expect(unframedSchemathesisLine('=================================== SUMMARY ====================================')).toBe('schemathesis · SUMMARY');
  });

  it('leaves every other line as it is', () => {
    for (const line of ['  ✅ 167 passed', 'Test cases:', '━━━━━━━━━━', '', '== not closed']) {
      expect(unframedSchemathesisLine(line)).toBe(line);
    }
  });
});
