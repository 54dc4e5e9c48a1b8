/**
 * Keyset pagination for listings ordered by `(created_at, id)`: a page token is the position of the last row
 * returned, so pages stay stable while rows are added (no offset drift) and each page is one index range scan.
 * Tokens are opaque to clients (base64url of JSON), as Humanitec's `page` tokens are.
 */
import { InvalidInput } from './errors.js';

export interface PagePosition {
  created_at: string;
  id: string;
}

export interface PageRequest {
  /** Rows per page. */
  limit: number;
  /** Token of the previous page's end (`nextToken`), or undefined for the first page. */
  token?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Present when more rows follow. */
  nextToken?: string;
}

export function encodePageToken(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.created_at, position.id]), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): PagePosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { created_at: value[0], id: value[1] };
    }
  } catch {
    // fall through: any malformed token gets the same message
  }
  throw new InvalidInput('page: not a page token returned by this server', { field: 'page' });
}

/** Tokens of listings ordered by `id` alone (apps): the last id returned. */
export function encodeIdPageToken(id: string): string {
  return Buffer.from(JSON.stringify([id]), 'utf8').toString('base64url');
}

export function decodeIdPageToken(token: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  } catch {
    // fall through: any malformed token gets the same message
  }
  throw new InvalidInput('page: not a page token returned by this server', { field: 'page' });
}

/** As `toPage`, for listings ordered by `id` alone. */
export function toIdPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeIdPageToken(items[items.length - 1]!.id) };
}

/**
 * As `toIdPage`, for listings ordered by a string key computed from each row (a composite such as
 * `type/class/res_id`): the token is the key of the page's last row, as `encodeIdPageToken` makes it.
 */
export function toKeyPage<T>(rows: T[], limit: number, key: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeIdPageToken(key(items[items.length - 1]!)) };
}

/** Splits `limit + 1` fetched rows into a page and the token of its end (fetching one extra row tells if more follow). */
export function toPage<T extends PagePosition>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1]!;
  return { items, nextToken: encodePageToken(last) };
}
