import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATCHES, type PatchRecord } from '../../../workflows/patches';

/**
 * The versioning plan (docs/architecture.md#versioning), held to the code: a patch introduced in
 * release R is `patched()` in R, `deprecatePatch()` in R+1 and gone in R+2; release N keeps the
 * replay sets recorded by N-1 and N, and only those.
 */
const ROOT = join(__dirname, '..', '..', '..');
const HISTORIES = join(ROOT, 'test', 'replay', 'histories');

/** Releases, oldest first, from CHANGELOG.md's `## x.y.z` headings. */
function releases(): { version: string; released: boolean }[] {
  const headings = [...readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8').matchAll(/^## (\d+\.\d+\.\d+)(.*)$/gm)];
  return headings.map((match) => ({ version: match[1] ?? '', released: !/unreleased/i.test(match[2] ?? '') })).reverse();
}

const RELEASES = releases();
const ORDER = RELEASES.map((release) => release.version);
const CURRENT: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const current = ORDER.indexOf(CURRENT);

type Call = 'patched' | 'deprecatePatch' | 'none';

/** What the code must call for a patch in the current release. */
function expectedCall(record: PatchRecord): Call {
  const age = current - ORDER.indexOf(record.introduced);
  return age <= 0 ? 'patched' : age === 1 ? 'deprecatePatch' : 'none';
}

/** Every `patched(…)` / `deprecatePatch(…)` call in workflows/ and its folders, its argument resolved to the id (a literal, or a string constant of the same file). */
function patchCalls(): { file: string; call: Exclude<Call, 'none'>; id: string }[] {
  const dir = join(ROOT, 'workflows');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => {
      const code = readFileSync(join(dir, name), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      const constants = new Map([...code.matchAll(/const (\w+)(?::\s*PatchId)?\s*=\s*'([^']+)'/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
      return [...code.matchAll(/\b(patched|deprecatePatch)\(\s*([^)]*?)\s*\)/g)].map((m) => {
        const argument = m[2] ?? '';
        const literal = /^'([^']+)'$/.exec(argument)?.[1];
        const id = literal ?? constants.get(argument) ?? `<unresolved: ${argument}>`;
        return { file: `workflows/${name}`, call: m[1] as 'patched' | 'deprecatePatch', id };
      });
    });
}

describe('versioning plan', () => {
  it("package.json's version is the newest release in CHANGELOG.md", () => {
    expect(ORDER.length).toBeGreaterThan(0);
    expect(ORDER.at(-1)).toBe(CURRENT);
    expect(new Set(ORDER).size).toBe(ORDER.length);
  });

  it.each(Object.entries(PATCHES))('patch %s follows the schedule', (id, record: PatchRecord) => {
    const introduced = ORDER.indexOf(record.introduced);
    expect({ id, introduced: record.introduced, known: introduced >= 0 }).toEqual({ id, introduced: record.introduced, known: true });
    // What the registry must say by now: deprecated in R+1 and removed in R+2, never ahead of the release.
    const due = {
      deprecated: current >= introduced + 1 ? ORDER[introduced + 1] : undefined,
      removed: current >= introduced + 2 ? ORDER[introduced + 2] : undefined,
    };
    expect({ id, deprecated: record.deprecated, removed: record.removed }).toEqual({ id, ...due });
  });

  it('workflow code calls each patch as its schedule says, and only patches the registry lists', () => {
    const calls = patchCalls();
    expect(calls.length).toBeGreaterThan(0);
    for (const { file, call, id } of calls) {
      const record: PatchRecord | undefined = (PATCHES as Record<string, PatchRecord>)[id];
      expect({ file, id, listed: record !== undefined }).toEqual({ file, id, listed: true });
      if (record) expect({ file, id, call }).toEqual({ file, id, call: expectedCall(record) });
    }
    // And every patch not yet removed is still called somewhere (else the registry has drifted).
    const called = new Set(calls.map((c) => c.id));
    const live = Object.entries(PATCHES as Record<string, PatchRecord>).filter(([, record]) => expectedCall(record) !== 'none');
    expect(live.filter(([id]) => !called.has(id)).map(([id]) => id)).toEqual([]);
  });

  it('keeps the replay sets recorded by this release and the previous one, and only those', () => {
    const sets = readdirSync(HISTORIES, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => {
        const file = join(HISTORIES, entry.name, 'RELEASE');
        return { set: entry.name, release: existsSync(file) ? readFileSync(file, 'utf8').trim() : '<no RELEASE file>' };
      });
    for (const { set, release } of sets) {
      const age = current - ORDER.indexOf(release);
      // 0: this release; 1: the previous one, whose workflows may still be open; older ones must be drained, so their sets go.
      expect({ set, release, kept: ORDER.includes(release) && age >= 0 && age <= 1 }).toEqual({ set, release, kept: true });
    }
    // The previous release must still be proven, and a release once cut has its own set.
    const required = RELEASES.filter((release, index) => index === current - 1 || (index === current && release.released));
    for (const { version } of required) expect({ version, sets: sets.some((s) => s.release === version) }).toEqual({ version, sets: true });
  });
});
