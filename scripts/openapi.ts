import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { buildOpenApiDocument, serializeDocument } from '../api/openapi/build-document';
import { defaultCatalogue } from '../operations/catalogue';

/**
 * `npm run openapi`: writes docs/openapi.json, the document `GET /openapi.json` serves, for readers
 * without a running API. A unit test fails when the committed file differs from the generated one.
 */
function main(): void {
  // Run from dist/scripts/: the repository's docs/ is two levels up.
  const file = resolve(__dirname, '..', '..', 'docs', 'openapi.json');
  const document = buildOpenApiDocument(defaultCatalogue());
  writeFileSync(file, serializeDocument(document));
  const operations = Object.values(document.paths).reduce((count, item) => count + Object.keys(item).length, 0);
  console.log(`wrote ${relative(process.cwd(), file)}: ${operations} operations, ${Object.keys(document.components.schemas).length} schemas`);
}

main();
