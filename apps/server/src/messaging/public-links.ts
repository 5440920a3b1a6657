/** What the public pages of emails' links share (`/u/…`, `/c/…`, `/p/…`): no sign-in, the token is the credential. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestLanguage } from '../platform/http.js';
import { invalidLinkPage } from './pages.js';

/** Generous for one person, a wall for a scraper (per IP). */
export const publicLinkLimit = { max: 600, timeWindow: '1 minute' };

/** Forms posted by the pages' buttons (and RFC 8058 one-click clients) are read as raw text, at most 8 KB. */
export function acceptFormBodies(app: FastifyInstance): void {
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => done(null, body));
  }
}

/** A page, never cached and never indexed. */
export const sendPage = (reply: FastifyReply, status: number, body: string) =>
  reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .type('text/html; charset=utf-8')
    .send(body);

/** A forged, altered or stale link: 404 with a page in the caller's language. */
export const sendInvalidLink = (req: FastifyRequest, reply: FastifyReply) =>
  sendPage(reply, 404, invalidLinkPage(requestLanguage(req)));
