/** A validation problem, by its path in the request, e.g. `body.params.sourceKey`. */
export interface ApiIssue {
  path: string;
  message: string;
}

/**
 * The API answered with an error (`{ error: { code, message, issues } }`). Branch on `code`, which
 * is stable (docs/api.md lists them), not on `message`. An answer that is not the API's (a proxy's
 * error page, say) has the code `unexpected_response`.
 */
export class AirlockApiError extends Error {
  override readonly name = 'AirlockApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
  }
}

/** The error a non-2xx answer stands for, from its body when that is the API's error envelope. */
export function errorFromResponse(status: number, body: string): AirlockApiError {
  const error = envelope(body);
  if (!error) return new AirlockApiError(status, 'unexpected_response', `HTTP ${status}: ${body.slice(0, 200)}`);
  return new AirlockApiError(status, error.code, error.message, error.issues);
}

function envelope(body: string): { code: string; message: string; issues?: ApiIssue[] } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, issues } = error as { code?: unknown; message?: unknown; issues?: unknown };
  if (typeof code !== 'string') return undefined;
  return {
    code,
    message: typeof message === 'string' ? message : code,
    ...(Array.isArray(issues) ? { issues: issues.filter(isIssue) } : {}),
  };
}

function isIssue(value: unknown): value is ApiIssue {
  const issue = value as Partial<ApiIssue> | null;
  return typeof issue === 'object' && issue !== null && typeof issue.path === 'string' && typeof issue.message === 'string';
}
