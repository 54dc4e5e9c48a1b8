/**
 * sprig's path, URL and network functions: Go's `path` package (Base, Dir, Clean, Ext, IsAbs; `filepath` is the
 * same on Linux), net/url's Parse and URL.String as urlParse/urlJoin use them (WHATWG URL, which Node has,
 * normalises differently: it lower-cases schemes, adds a `/` path, rejects "something"), and getHostByName.
 */
import type { TemplateFunc } from './exec.js';
import { activeHostLookupPolicy, hostLookupRefusal } from './host-lookup.js';
import { runOnWorker } from './sync-worker.js';

/** Longest time getHostByName waits for the resolver (and never past the render's time limit). */
export const HOST_LOOKUP_TIMEOUT_MS = 1_000;

type Str = (value: unknown) => string;

// ---------------------------------------------------------------- path

/** path.Clean: lexical processing of `.`, `..` and repeated slashes. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

export function basePath(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf('/') + 1));
}

export function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

// ---------------------------------------------------------------- net/url

function unhex(c: string): number {
  return parseInt(c, 16);
}

/** url.unescape in path/fragment mode: %XX decoding; a bad escape is Go's error. */
function unescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        const bad = s.slice(i, i + 3);
        throw new Error(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(unhex(hex));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

type EscapeMode = 'path' | 'userPassword' | 'fragment' | 'host';

/** url.shouldEscape for the modes urlJoin needs. */
function shouldEscape(c: string, mode: EscapeMode): boolean {
  if (/[A-Za-z0-9]/.test(c)) return false;
  if (mode === 'host') return !/[!$&'()*+,;=:[\]<>"\-._~%]/.test(c);
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '~':
      return false;
    case '$':
    case '&':
    case '+':
    case ',':
    case '/':
    case ':':
    case ';':
    case '=':
    case '?':
    case '@':
      if (mode === 'path') return c === '?';
      if (mode === 'userPassword') return c === '@' || c === '/' || c === '?' || c === ':';
      return false; // fragment
    default:
      break;
  }
  if (mode === 'fragment' && (c === '!' || c === '(' || c === ')' || c === '*')) return false;
  return true;
}

function escape(s: string, mode: EscapeMode): string {
  let out = '';
  for (const ch of s) {
    if (ch.length === 1 && ch.charCodeAt(0) < 0x80 && !shouldEscape(ch, mode)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

interface GoUrl {
  scheme: string;
  opaque: string;
  user: { username: string; password: string | undefined } | undefined;
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
}

function parseUserinfo(info: string): { username: string; password: string | undefined } {
  const colon = info.indexOf(':');
  if (colon < 0) return { username: unescape(info), password: undefined };
  return { username: unescape(info.slice(0, colon)), password: unescape(info.slice(colon + 1)) };
}

function userinfoString(user: { username: string; password: string | undefined }): string {
  let s = escape(user.username, 'userPassword');
  if (user.password !== undefined) s += ':' + escape(user.password, 'userPassword');
  return s;
}

/** url.Parse (the parts urlParse reports). */
export function parseUrl(raw: string): GoUrl {
  if (Array.from(raw).some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new Error(`parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`);
  let rest = raw;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = unescape(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  let scheme = '';
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (schemeMatch !== null) {
    scheme = schemeMatch[1]!.toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
  } else if (/^[0-9+.-][^/]*:/.test(rest) && !rest.startsWith('/')) {
    const colon = rest.indexOf(':');
    if (colon >= 0 && !rest.slice(0, colon).includes('/')) throw new Error(`parse ${JSON.stringify(raw)}: first path segment in URL cannot contain colon`);
  }
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const url: GoUrl = { scheme, opaque: '', user: undefined, host: '', path: '', rawQuery, fragment };
  if (!rest.startsWith('/') && scheme !== '') {
    url.opaque = rest;
    return url;
  }
  if (rest.startsWith('//') && (scheme !== '' || !rest.startsWith('///'))) {
    const afterSlashes = rest.slice(2);
    const slash = afterSlashes.indexOf('/');
    const authority = slash < 0 ? afterSlashes : afterSlashes.slice(0, slash);
    rest = slash < 0 ? '' : afterSlashes.slice(slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0) url.user = parseUserinfo(authority.slice(0, at));
    url.host = unescape(at >= 0 ? authority.slice(at + 1) : authority);
  }
  url.path = unescape(rest);
  return url;
}

function hostname(host: string): string {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close < 0 ? host.slice(1) : host.slice(1, close);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** url.URL.String. */
export function urlString(u: GoUrl): string {
  let out = '';
  if (u.scheme !== '') out += u.scheme + ':';
  if (u.opaque !== '') {
    out += u.opaque;
  } else {
    if (u.scheme !== '' || u.host !== '' || u.user !== undefined) {
      if (u.host !== '' || u.path !== '' || u.user !== undefined) out += '//';
      if (u.user !== undefined) out += userinfoString(u.user) + '@';
      if (u.host !== '') out += escape(u.host, 'host');
    }
    const path = escape(u.path, 'path');
    if (path !== '' && path[0] !== '/' && u.host !== '') out += '/';
    if (out === '') {
      const segment = path.split('/')[0]!;
      if (segment.includes(':')) out += './';
    }
    out += path;
  }
  if (u.rawQuery !== '') out += '?' + u.rawQuery;
  if (u.fragment !== '') out += '#' + escape(u.fragment, 'fragment');
  return out;
}

function urlParse(value: unknown, str: Str): Record<string, unknown> {
  let u: GoUrl;
  try {
    u = parseUrl(str(value));
  } catch (error) {
    throw new Error(`unable to parse url: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    scheme: u.scheme,
    host: u.host,
    hostname: hostname(u.host),
    path: u.path,
    query: u.rawQuery,
    opaque: u.opaque,
    fragment: u.fragment,
    userinfo: u.user === undefined ? '' : userinfoString(u.user),
  };
}

function urlJoin(dict: unknown): string {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) throw new Error('wrong type for value; expected map[string]interface {}');
  const map = dict as Record<string, unknown>;
  const get = (key: string): string => {
    if (!Object.prototype.hasOwnProperty.call(map, key)) return '';
    const value = map[key];
    if (typeof value !== 'string') throw new Error(`unable to parse ${key} key, must be of type string, but ${value === null || value === undefined ? 'invalid' : typeof value === 'number' ? 'float64' : typeof value === 'bigint' ? 'int' : typeof value} found`);
    return value;
  };
  const userinfo = get('userinfo');
  let user: GoUrl['user'];
  if (userinfo !== '') {
    try {
      user = parseUrl(`proto://${userinfo}@host`).user;
    } catch (error) {
      throw new Error(`unable to parse userinfo in dict: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return urlString({ scheme: get('scheme'), host: get('host'), path: get('path'), rawQuery: get('query'), opaque: get('opaque'), fragment: get('fragment'), user });
}

/**
 * sprig's getHostByName: one of the name's addresses (random, as sprig picks), bounded by a timeout, and only when
 * the operator's policy (host-lookup.ts) allows the name; a refused name fails the render before any DNS query.
 */
function getHostByName(name: unknown, str: Str): string {
  const host = str(name);
  if (host === '' || host.length > 253 || !/^[A-Za-z0-9._:-]+$/.test(host)) throw new Error(`lookup ${host}: no such host`);
  const refusal = hostLookupRefusal(activeHostLookupPolicy(), host);
  if (refusal !== undefined) throw new Error(`lookup of ${JSON.stringify(host)} refused: ${refusal}`);
  const addresses = runOnWorker({ op: 'lookupHost', name: host }, HOST_LOOKUP_TIMEOUT_MS) as string[];
  // sprig indexes a random element; with no address Go panics (invalid argument to Intn)
  if (addresses.length === 0) throw new Error('invalid argument to Intn');
  return addresses[Math.floor(Math.random() * addresses.length)]!;
}

export function sprigNetFuncs(str: Str): Record<string, TemplateFunc> {
  const base = (p: unknown) => basePath(str(p));
  const dir = (p: unknown) => dirPath(str(p));
  const clean = (p: unknown) => cleanPath(str(p));
  const ext = (p: unknown) => extPath(str(p));
  const isAbs = (p: unknown) => str(p).startsWith('/');
  return {
    base,
    dir,
    clean,
    ext,
    isAbs,
    osBase: base,
    osDir: dir,
    osClean: clean,
    osExt: ext,
    osIsAbs: isAbs,
    urlParse: (value: unknown) => urlParse(value, str),
    urlJoin,
    getHostByName: (name: unknown) => getHostByName(name, str),
  };
}
