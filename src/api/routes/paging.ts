/**
 * Humanitec-style pagination for list routes: `per_page` (1–100, default 50) and an opaque `page` token in the
 * query; when more items follow, a `Link: <url>; rel="next"` header carries the next page's URL.
 *
 * Paging is opt-in on routes whose Humanitec contract has no paging parameters (sets, deltas): without `per_page`
 * or `page` they return everything, as Humanitec does and as its generated client (which sends neither) expects.
 */
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { decodeIdPageToken, toIdPage } from '../../shared/pagination.js';

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

/**
 * The store-paged counterpart of `pageList`, same contract: without `per_page` or `page` the whole list (`whole`,
 * in its usual order); else one page read by `paged` (a keyset query reading `limit + 1` rows in the order
 * `pageList` would sort them, with its tokens), and the `Link` to the next.
 */
export async function pageFromStore<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  query: { per_page?: number | undefined; page?: string | undefined },
  whole: () => Promise<readonly T[]>,
  paged: (page: PageRequest) => Promise<Page<T>>,
): Promise<T[]> {
  const page = pageRequest(query);
  if (page === undefined) return [...(await whole())];
  const result = await paged(page);
  setNextLink(request, reply, result.nextToken, query.per_page);
  return result.items;
}

/**
 * Pages a list whose store query returns it whole (lists bounded per parent: an app's values, an org's registries,
 * a webhook's deliveries…), with the same `per_page` / `page` / `Link` contract as the store-paged lists. Opt-in:
 * without `per_page` or `page` the whole list comes back in its usual order. When paging, the items are ordered by
 * `key` (unique per item, compared by code unit) and a page starts after the previous page's last key, so pages
 * stay stable while items are added or removed (no offset drift); a token this server did not issue is refused.
 */
export function pageList<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  query: { per_page?: number | undefined; page?: string | undefined },
  items: readonly T[],
  key: (item: T) => string,
): T[] {
  const page = pageRequest(query);
  if (page === undefined) return [...items];
  const after = page.token === undefined ? undefined : decodeIdPageToken(page.token);
  const keyed = items.map((item) => ({ item, key: key(item) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = after === undefined ? keyed : keyed.filter((entry) => entry.key > after);
  const result = toIdPage(rest.slice(0, page.limit + 1).map((entry) => ({ id: entry.key, item: entry.item })), page.limit);
  setNextLink(request, reply, result.nextToken, query.per_page);
  return result.items.map((entry) => entry.item);
}
