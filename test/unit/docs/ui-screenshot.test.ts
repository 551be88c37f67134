import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** Written by `npm run screenshot` (scripts/ui-screenshot.ts), committed for the docs. */
const SCREENSHOT = join(ROOT, 'docs', 'images', 'temporal-ui-workflow.png');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which a valid PNG has first, right after the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('no PNG signature');
  if (png.subarray(12, 16).toString('latin1') !== 'IHDR' || png.readUInt32BE(8) !== 13) throw new Error('the first chunk is not IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Markdown files that embed or link the screenshot, with the link target resolved from each file. */
function linksToScreenshot(): { file: string; target: string }[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
  const files = [join(ROOT, 'README.md'), ...docs.map((name) => join(ROOT, 'docs', name))];
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]*temporal-ui-workflow\.png)\)/g)].map((match) => ({
      file,
      target: resolve(dirname(file), match[1] ?? ''),
    })),
  );
}

describe('docs/images/temporal-ui-workflow.png (the Temporal UI screenshot)', () => {
  test('is committed, a valid PNG and large enough to read', () => {
    expect(existsSync(SCREENSHOT)).toBe(true);
    const png = readFileSync(SCREENSHOT);
    const { width, height } = pngSize(png);
    expect(width).toBeGreaterThanOrEqual(1000);
    expect(height).toBeGreaterThanOrEqual(700);
    // The docs carry it in git: keep it a picture, not a payload.
    expect(png.length).toBeLessThan(500 * 1024);
  });

  test('the docs show it, by a link that resolves to the file', () => {
    const links = linksToScreenshot();
    expect(links.map((link) => link.file)).toContain(join(ROOT, 'docs', 'operators.md'));
    for (const link of links) expect(link.target).toBe(SCREENSHOT);
  });
});
