import Type from 'typebox';
import Value from 'typebox/value';

/**
 * What the credential drivers keep in their cookie: the login they created and its password.
 * The engine stores the cookie with the resource and hands it back, which is how a password
 * survives re-provisioning without the driver owning any storage.
 */
const CredentialCookieSchema = Type.Object({
  version: Type.Literal(1),
  username: Type.String({ minLength: 1 }),
  password: Type.String({ minLength: 1 }),
});

export interface CredentialCookie {
  version: 1;
  username: string;
  password: string;
}

export function credentialCookie(username: string, password: string): CredentialCookie {
  return { version: 1, username, password };
}

/**
 * The password recorded for `username`, or undefined when the cookie is absent, malformed or
 * belongs to a different login (a renamed rule must not reuse a stale password).
 */
export function passwordFromCookie(cookie: unknown, username: string): string | undefined {
  if (!Value.Check(CredentialCookieSchema, cookie)) return undefined;
  return cookie.username === username ? cookie.password : undefined;
}
