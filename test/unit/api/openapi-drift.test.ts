import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeDocument } from '../../../api/openapi';
import { defaultApiDocument } from '../../../scripts/lib/default-api-document';

const COMMITTED = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

describe('docs/openapi.json', () => {
  it('is the document the API serves in its default configuration', async () => {
    const generated = serializeDocument((await defaultApiDocument()).document);
    const committed = readFileSync(COMMITTED, 'utf8');
    if (committed !== generated) {
      const [was, is] = [committed.split('\n'), generated.split('\n')];
      let at = 0;
      while (was[at] === is[at]) at += 1;
      throw new Error(
        `docs/openapi.json is out of date: run \`npm run openapi\` and commit the result.\n` +
          `First difference at line ${at + 1}:\n  committed: ${was[at] ?? '(end of file)'}\n  generated: ${is[at] ?? '(end of file)'}`,
      );
    }
  });
});
