/**
 * jose (bearer tokens of the API, Bot Framework tokens of Teams), loaded for CommonJS code. jose 6 ships only ES modules; Node 20.19+ `require`s them natively,
 * but TypeScript's `node16` module mode refuses a static import of one from CommonJS. The types come
 * from its ESM entry; the value from `require`, which jest's config compiles for the tests.
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: the one way to load jose from CommonJS under `node16`
export const jose = require('jose') as typeof Jose;
export type { Jose };
