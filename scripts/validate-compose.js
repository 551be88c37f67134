// Validates a compose file against the Compose Specification's JSON schema, as Compose reads it
// (YAML merge keys resolved): `node scripts/validate-compose.js <schema.json> <compose.yml>`.
// Plain JS: `npm run validate:deploy` runs it without a build. Exit 1 on any error.
'use strict';
const { readFileSync } = require('node:fs');
const Ajv2020 = require('ajv/dist/2020').default;
const { parse } = require('yaml');

const [schemaFile, composeFile] = process.argv.slice(2);
if (!schemaFile || !composeFile) {
  console.error('usage: node scripts/validate-compose.js <schema.json> <compose.yml>');
  process.exit(2);
}
// strict: false because the published schema itself fails Ajv's strict mode (test/unit/deploy/compose-validators.ts).
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
const document = parse(readFileSync(composeFile, 'utf8'), { merge: true });
if (validate(document)) {
  const services = Object.keys(document.services ?? {}).length;
  console.log(`${composeFile} - valid against the Compose Specification (${services} services)`);
} else {
  for (const error of validate.errors ?? []) {
    // Name the key a misspelt field is: Ajv's message alone says only that one is not allowed.
    const key = error.params.unevaluatedProperty ?? error.params.additionalProperty;
    console.log(`${composeFile} - ${error.instancePath || '/'} ${error.message ?? 'is invalid'}${key ? `: ${key}` : ''}`);
  }
  process.exit(1);
}
