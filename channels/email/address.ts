/**
 * The one email address an `email:` channel names (and AIRLOCK_EMAIL_FROM): a plain RFC 5322
 * addr-spec in ASCII, `local@domain`. Nothing else: no display name (`Ops <ops@…>`), no list
 * (`a@…, b@…`), no quoted local part, no domain literal, no spaces or line breaks, so the address
 * can go into a header or an SMTP envelope as it is. Pure and import-free: channels/kinds.ts, which
 * the workflow bundle loads, checks policy channels with it.
 */

/** RFC 5322 `atext`: what a dot-atom local part is made of. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** A host name: letters, digits and inner hyphens per label (an IDN in its `xn--` form). */
const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** RFC 5321's limits: 64 for the local part, 254 for the address a path can carry. */
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;

/** Why `text` is not one plain email address, or undefined when it is. */
export function emailAddressProblem(text: string): string | undefined {
  if (/[\r\n]/.test(text)) return 'must be one email address on one line';
  if (/[\s,;<>"()]/.test(text)) return 'must be one plain email address such as reviewers@example.com: no display name, list, quotes or spaces';
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return 'must be an email address such as reviewers@example.com';
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (text.length > MAX_ADDRESS || local.length > MAX_LOCAL) return `must be an email address of at most ${MAX_ADDRESS} characters (${MAX_LOCAL} before the @)`;
  if (!LOCAL_PART.test(local)) return "must be an email address whose part before the @ is letters, digits and !#$%&'*+/=?^_`{|}~- (dots between)";
  if (!domain.split('.').every((label) => DOMAIN_LABEL.test(label))) return 'must be an email address whose domain is a host name such as example.com';
  return undefined;
}

/** Whether `text` is one plain email address. */
export function isEmailAddress(text: string): boolean {
  return emailAddressProblem(text) === undefined;
}
