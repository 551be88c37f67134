import type { FastifyReply } from 'fastify';
import { renderPage } from './views/render';
import { Layout } from './views/layout';

/** A page with one message and at most one link: sign-in failures, signed out. */
export function plainPage(reply: FastifyReply, status: number, page: { title: string; message: string; link?: { href: string; text: string } }): FastifyReply {
  return renderPage(
    reply.status(status),
    <Layout title={page.title}>
      <h1>{page.title}</h1>
      <p>{page.message}</p>
      {page.link ? (
        <p>
          <a href={page.link.href}>{page.link.text}</a>
        </p>
      ) : null}
    </Layout>,
  );
}
