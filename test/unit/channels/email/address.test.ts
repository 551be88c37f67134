import { emailAddressProblem, isEmailAddress } from '../../../../channels/email/address';

describe('email addresses (email: channels, AIRLOCK_EMAIL_FROM)', () => {
  it.each([
    'reviewers@example.com',
    'security+oncall@corp.example.co.uk',
    "o'brien@example.com",
    'a.b.c@example.com',
    'x@localhost',
    'ops-team@xn--bcher-kva.example',
  ])('accepts %s', (address) => {
    expect(emailAddressProblem(address)).toBeUndefined();
    expect(isEmailAddress(address)).toBe(true);
  });

  it.each([
    ['a display name', 'Ops <ops@example.com>', 'no display name'],
    ['angle brackets alone', '<ops@example.com>', 'no display name'],
    ['a list', 'a@example.com,b@example.com', 'no display name, list'],
    ['a list with ;', 'a@example.com;b@example.com', 'no display name, list'],
    ['a space', 'a @example.com', 'no display name, list, quotes or spaces'],
    ['a quoted local part', '"a b"@example.com', 'no display name, list, quotes or spaces'],
    ['a CR LF header injection', 'a@example.com\r\nBcc: x@evil.example', 'on one line'],
    ['a lone LF', 'a@example.com\nx', 'on one line'],
    ['a tab', 'a@example.com\tx', 'spaces'],
    ['no @', 'reviewers', 'such as reviewers@example.com'],
    ['nothing before @', '@example.com', 'such as reviewers@example.com'],
    ['nothing after @', 'reviewers@', 'such as reviewers@example.com'],
    ['two @', 'a@b@example.com', 'part before the @'],
    ['a leading dot', '.a@example.com', 'part before the @'],
    ['two dots', 'a..b@example.com', 'part before the @'],
    ['non-ASCII', 'rené@example.com', 'part before the @'],
    ['a domain literal', 'a@[127.0.0.1]', 'domain is a host name'],
    ['an underscore in the domain', 'a@exa_mple.com', 'domain is a host name'],
    ['an empty label', 'a@example..com', 'domain is a host name'],
    ['a hyphen at a label end', 'a@example-.com', 'domain is a host name'],
    ['a local part over 64', `${'a'.repeat(65)}@example.com`, 'at most 254 characters (64 before the @)'],
    ['an address over 254', `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`, 'at most 254'],
  ])('refuses %s', (_, address, problem) => {
    expect(emailAddressProblem(address)).toContain(problem);
    expect(isEmailAddress(address)).toBe(false);
  });
});
