import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/**
 * Sends a page rendered on the server by Preact: every value is escaped as text or as an attribute,
 * so what agents wrote (a justification, a parameter) can never become markup or script.
 */
export function renderPage(reply: FastifyReply, page: VNode): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>${render(page)}`);
}

/** Sends part of a page (the inbox list console.js swaps in), escaped the same way. */
export function renderFragment(reply: FastifyReply, fragment: VNode): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(render(fragment));
}

/** A page as text, for the error pages written in place of a JSON error body. */
export function pageHtml(page: VNode): string {
  return `<!doctype html>${render(page)}`;
}
