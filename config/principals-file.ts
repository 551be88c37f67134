import { z } from 'zod';
import { PrincipalDirectory, principalSchema } from './principals';
import { tokenIssuerSchema, type TokenIssuer } from './token-issuers';
import { readFileOrFail, YamlFile, YamlFileError, type FileIssue, type RawIssue } from './yaml-file';

/** A principals file that cannot be used. The message lists every issue as `file:line: field: problem`. */
export class PrincipalsFileError extends YamlFileError {
  override name = 'PrincipalsFileError';
  readonly code = 'invalid_principals_file';
}

const principalsFileError = (source: string, issues: FileIssue[]): PrincipalsFileError => new PrincipalsFileError(source, issues);

const principalsFileSchema = z.strictObject({
  principals: z.array(principalSchema),
  tokenIssuers: z.array(tokenIssuerSchema).default([]),
});

/** Who may call the API: principals with API keys, and the issuers whose tokens it accepts. */
export interface PrincipalsFile {
  principals: PrincipalDirectory;
  tokenIssuers: TokenIssuer[];
}

/** Parses and checks principals file text; `source` names it in errors. */
export function parsePrincipalsFile(text: string, source: string): PrincipalsFile {
  const file = YamlFile.parse(text, source, principalsFileError);
  const parsed = file.check(principalsFileSchema);
  // Tokens are matched to their issuer by `iss`: two entries for one issuer would make that a guess.
  const seen = new Set<string>();
  const issues: RawIssue[] = [];
  parsed.tokenIssuers.forEach(({ issuer }, index) => {
    if (seen.has(issuer)) issues.push({ path: ['tokenIssuers', index, 'issuer'], message: `${issuer} is listed twice` });
    seen.add(issuer);
  });
  file.reject(issues);
  return { principals: new PrincipalDirectory(parsed.principals), tokenIssuers: parsed.tokenIssuers };
}

/** Reads the principals file (`AIRLOCK_PRINCIPALS_FILE`); throws PrincipalsFileError naming line and field. */
export function loadPrincipalsFile(path: string): PrincipalsFile {
  return parsePrincipalsFile(readFileOrFail(path, 'principals file', principalsFileError).toString('utf8'), path);
}
