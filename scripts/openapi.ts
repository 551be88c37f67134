import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { defaultApiDocument } from './lib/default-api-document';
import { serializeDocument } from '../api/openapi';

/**
 * `npm run openapi`: writes docs/openapi.json, the document `GET /openapi.json` serves in the
 * default configuration, for readers without a running API. A unit test fails when the committed
 * file differs from the generated one.
 */
async function main(): Promise<void> {
  // Run from dist/scripts/: the repository's docs/ is two levels up.
  const file = resolve(__dirname, '..', '..', 'docs', 'openapi.json');
  const document = await defaultApiDocument();
  writeFileSync(file, serializeDocument(document.document));
  console.log(`wrote ${relative(process.cwd(), file)}: ${document.operations} operations, ${document.schemas} schemas`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
