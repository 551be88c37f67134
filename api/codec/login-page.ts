/** The codec sign-in pages: plain HTML, no scripts, nothing fetched from elsewhere. */
export function loginPage(message?: string): string {
  return page(
    'Sign in to decode payloads',
    `${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/codec/login">
  <label>Operator API key <input type="password" name="key" autocomplete="off" required></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

export function signedInPage(principalId: string, expiresAt: number, codecUrl: string): string {
  return page(
    'Signed in',
    `<p>Signed in as <strong>${escapeHtml(principalId)}</strong> until ${new Date(expiresAt).toISOString()}.</p>
<p>In the Temporal UI, open <em>Codec Server</em> settings, set the endpoint to <code>${escapeHtml(codecUrl)}</code>
and turn on <em>Include cross-origin credentials</em>. Payloads then show as plaintext.</p>
<form method="post" action="/codec/logout"><button type="submit">Sign out</button></form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Airlock codec: ${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
