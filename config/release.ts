/**
 * The release this code is (CHANGELOG.md's top heading), as reported to MCP clients. Written here,
 * not read from package.json at run time: tsc would copy package.json into dist/, where it marks
 * dist/ as the project root for every script that looks for one. test/unit/config/release.test.ts
 * keeps it equal to package.json's version.
 */
export const RELEASE = '0.2.0';
