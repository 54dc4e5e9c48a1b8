/**
 * Humanitec-style pagination for list routes: `per_page` (1–100, default 50) and an opaque `page` token in the
 * query; when more items follow, a `Link: <url>; rel="next"` header carries the next page's URL.
 *
 * Paging is opt-in on routes whose Humanitec contract has no paging parameters (sets, deltas): without `per_page`
 * or `page` they return everything, as Humanitec does and as its generated client (which sends neither) expects.
 */
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageRequest } from '../../store/pagination.js';

export const DEFAULT_PER_PAGE = 50;

export const PagingQuery = {
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'The maximum number of items to return in a page of results (default 50 once paging).' })),
  page: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'The page token to request from (from the `Link` header of the previous page).' })),
};

export function pageRequest(query: { per_page?: number | undefined; page?: string | undefined }): PageRequest | undefined {
  if (query.per_page === undefined && query.page === undefined) return undefined;
  return { limit: query.per_page ?? DEFAULT_PER_PAGE, token: query.page };
}

/** Sets `Link: <same URL with page=nextToken>; rel="next"` when a next page exists. */
export function setNextLink(request: FastifyRequest, reply: FastifyReply, nextToken: string | undefined, perPage: number | undefined): void {
  if (nextToken === undefined) return;
  const url = new URL(request.url, 'http://baton.invalid');
  url.searchParams.set('page', nextToken);
  url.searchParams.set('per_page', String(perPage ?? DEFAULT_PER_PAGE));
  void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
}
