/**
 * @noble/curves and @noble/hashes, loaded for CommonJS code and for the workflow bundle. They ship
 * only ES modules: Node 20.19+ `require`s them natively, webpack bundles them, and TypeScript's
 * `node16` mode refuses a static import of one from CommonJS, so types come from the ESM entry and
 * values from `require` (as api/teams/jose.ts does for jose). Pure JavaScript with no I/O and no
 * randomness on the verifying path, so the workflow sandbox can verify signatures deterministically.
 */
import type * as Ed25519Module from '@noble/curves/ed25519.js' with { 'resolution-mode': 'import' };
import type * as Sha2Module from '@noble/hashes/sha2.js' with { 'resolution-mode': 'import' };
import type * as UtilsModule from '@noble/hashes/utils.js' with { 'resolution-mode': 'import' };

/* eslint-disable @typescript-eslint/no-require-imports -- see above: the one way to load them from CommonJS under `node16` */
export const { ed25519 } = require('@noble/curves/ed25519.js') as typeof Ed25519Module;
export const { sha256 } = require('@noble/hashes/sha2.js') as typeof Sha2Module;
export const { bytesToHex, hexToBytes, utf8ToBytes } = require('@noble/hashes/utils.js') as typeof UtilsModule;
/* eslint-enable @typescript-eslint/no-require-imports */
