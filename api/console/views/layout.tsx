import type { ComponentChildren } from 'preact';

/** The console's sections, as the navigation names them. */
export type NavSection = 'inbox' | 'requests' | 'decisions' | 'history' | 'audit';

/** Who is signed in, as the header shows them; with `csrfToken`, the sign-out form too. */
export interface HeaderPerson {
  identity: string;
  email?: string | undefined;
  roles: readonly string[];
  csrfToken?: string | undefined;
}

const SECTIONS: readonly { id: NavSection; href: string; label: string; auditorsOnly?: boolean }[] = [
  { id: 'inbox', href: '/console', label: 'Inbox' },
  { id: 'requests', href: '/console/requests', label: 'My requests' },
  { id: 'decisions', href: '/console/decisions', label: 'My decisions' },
  { id: 'history', href: '/console/history', label: 'History' },
  { id: 'audit', href: '/console/audit', label: 'Audit', auditorsOnly: true },
];

/** Every console page's frame: its stylesheet and script from the console's own origin (the CSP allows nothing else). */
export function Layout(props: { title: string; person?: HeaderPerson | undefined; current?: NavSection | undefined; children: ComponentChildren }) {
  const { person } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Airlock`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/console.js" defer />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/console">
            Airlock
          </a>
          {person ? <Navigation person={person} current={props.current} /> : null}
          {person ? <SignedIn person={person} /> : null}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

function Navigation(props: { person: HeaderPerson; current?: NavSection | undefined }) {
  const auditor = props.person.roles.includes('auditor');
  return (
    <nav class="sections" aria-label="Sections">
      {SECTIONS.filter((section) => !section.auditorsOnly || auditor).map((section) => (
        <a href={section.href} {...(section.id === props.current ? { 'aria-current': 'page', class: 'current' } : {})}>
          {section.label}
        </a>
      ))}
    </nav>
  );
}

function SignedIn(props: { person: HeaderPerson }) {
  const { person } = props;
  return (
    <div class="signed-in">
      <span>
        Signed in as <strong>{person.identity}</strong>
        {person.email && person.email !== person.identity ? <span class="muted"> ({person.email})</span> : null}
        <span class="roles">{person.roles.join(', ')}</span>
      </span>
      {person.csrfToken ? (
        <form method="post" action="/console/logout" class="signout">
          <input type="hidden" name="_csrf" value={person.csrfToken} />
          <button type="submit" class="link-button">
            Sign out
          </button>
        </form>
      ) : null}
    </div>
  );
}
