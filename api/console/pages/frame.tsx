import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { ConsoleContext } from '../plugin';
import { Layout, type NavSection } from '../views/layout';
import { renderPage } from '../views/render';

/** Sends a page of a signed-in person in the console's frame: header, navigation, sign-out form. */
export function sendConsolePage(
  context: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: { title: string; current?: NavSection | undefined; status?: number | undefined },
  body: ComponentChildren,
): FastifyReply {
  const session = context.session(request);
  const person = { identity: session.identity, email: session.email, roles: session.roles, csrfToken: context.csrfToken(request, reply) };
  return renderPage(
    reply.status(page.status ?? 200),
    <Layout title={page.title} person={person} current={page.current}>
      {body}
    </Layout>,
  );
}
