import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE } from '../../../config/release';

describe('the release', () => {
  it("is package.json's version, so a release bump cannot leave the reported version behind", () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(RELEASE).toBe(version);
  });
});
