/**
 * Query options nodemailer would take from the URL over the worker's own settings
 * (channels/email/settings.ts): logging (which could write the SMTP session, credentials and all,
 * to the log), reading attachments from files or URLs, and pooling. Other query options are
 * nodemailer's SMTP options, e.g. `requireTLS=true` or `tls.servername=mail.example.com`.
 */
const REFUSED_QUERY_OPTIONS: ReadonlySet<string> = new Set(['logger', 'debug', 'transactionLog', 'disableFileAccess', 'disableUrlAccess', 'pool']);

/**
 * AIRLOCK_SMTP_URL: `smtp://host:port` (STARTTLS when the server offers it) or `smtps://host:port`
 * (TLS from the start), with optional credentials (`smtps://user:password@host`). What is wrong with
 * it, or undefined. The messages never repeat the URL: it may hold a password.
 */
export function smtpUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an smtp:// or smtps:// URL';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return 'must be an smtp:// or smtps:// URL';
  if (!url.hostname) return 'must name the SMTP server: smtp://host:port';
  if ((url.pathname !== '' && url.pathname !== '/') || url.hash) return 'must be smtp(s)://[user:password@]host[:port], without a path or fragment';
  const refused = [...url.searchParams.keys()].filter((key) => REFUSED_QUERY_OPTIONS.has(key));
  if (refused.length > 0) return `must not set ${refused.join(', ')}: the worker sets logging, file access and pooling itself`;
  return undefined;
}

/** The user name and password of an SMTP URL, as written and decoded: removed from every failure message. */
export function smtpUrlSecrets(raw: string): string[] {
  try {
    const url = new URL(raw);
    const secrets = [url.password, safeDecode(url.password)].filter((secret) => secret !== '');
    return [...new Set(secrets)];
  } catch {
    return [];
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
