/**
 * API tokens: how they are hashed, who may manage whose, and the token service (issue, list, get, revoke,
 * authenticate). Humanitec's shape: `POST /users/{userId}/tokens {id, type: "static", description?, expires_at?}`
 * answers the token once; afterwards only its metadata can be read.
 *
 * Hashing. A token is 256 random bits, so a fast hash is enough to make a stolen database useless: nobody can
 * search a 2^256 space, and a slow password hash (scrypt, argon2) would only add latency to every request. The hash
 * is keyed (HMAC-SHA-256 under a key derived from Baton's secret key, which lives outside the database): a copy of
 * the database alone then cannot even confirm a guess, which also protects the one token that may be short and
 * human-chosen (`BATON_BOOTSTRAP_TOKEN`). Consequence: replacing the secret key invalidates every API token.
 *
 * Constant time. Authentication looks the row up BY the hash of the presented token and then compares the stored
 * hash with the computed one using `crypto.timingSafeEqual`. The lookup's timing (index walk, string comparison in
 * the database) depends only on the HMAC of the guess, which an attacker cannot steer towards a stored hash without
 * the key; it reveals nothing about the secret token, unlike comparing the token itself byte by byte, which leaks
 * the length of the matching prefix. The final `timingSafeEqual` keeps the one comparison done in JavaScript free
 * of early exits too. Expiry is checked after the match; no cache sits in front of the table, so a revoked token
 * fails on the very next request.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated } from '../shared/errors.js';
import { checkId } from '../shared/ids.js';
import { nowIso } from '../store/index.js';
import type { CoreRepos, Executor } from '../store/index.js';
import type { TokenRow } from '../store/tokens-repo.js';
import type { UserRow } from '../store/users-repo.js';

export type { TokenRow };

/** The only token type Humanitec (and Baton) issues. */
export const TOKEN_TYPE = 'static';
/** Prefix of keyed hashes in `tokens.token_hash`; rows without it are legacy unkeyed SHA-256 (before migration 0011). */
const KEYED_PREFIX = 'hmac-sha256:';
const DESCRIPTION_MAX = 500;

/** 32 bytes for the token HMAC, derived from the secret key (HKDF) so the sealing key is never used twice. */
export function deriveTokenHashKey(secretKeyMaterial: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKeyMaterial, Buffer.alloc(0), 'baton/api-token-hash/v1', 32));
}

export interface TokenHasher {
  /** What `tokens.token_hash` stores for `token`. */
  hash(token: string): string;
}

export function createTokenHasher(key: Buffer): TokenHasher {
  if (key.length < 32) throw new InvalidInput('the token hash key must be at least 32 bytes');
  return { hash: (token) => KEYED_PREFIX + createHmac('sha256', key).update(token, 'utf8').digest('hex') };
}

/** The unkeyed SHA-256 hex that Baton stored before migration 0011; only used to find and upgrade such rows. */
function legacyHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh random API token (256 bits, URL-safe). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Lengths of hashes are public (fixed per scheme); timingSafeEqual needs equal lengths.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What the caller's and the target user's org memberships say; gathered by an `OrgRoles` lookup. */
export interface TokenManagementFacts {
  /** Orgs where the caller holds the org role `administrator`. */
  callerAdministers: readonly string[];
  /** Orgs the caller belongs to (any role). */
  callerOrgs: readonly string[];
  /** Orgs the target user belongs to (any role). */
  targetOrgs: readonly string[];
}

/**
 * The rule of the RBAC contract: a user manages their own tokens; an org administrator also manages the tokens of
 * service users of orgs they administer. Pure; rbac-core's permission matrix refers to it for `tokens.*`.
 */
export function mayManageTokensOf(caller: Pick<UserRow, 'id'>, target: Pick<UserRow, 'id' | 'type'>, facts: TokenManagementFacts): boolean {
  if (caller.id === target.id) return true;
  if (target.type !== 'service') return false;
  return facts.targetOrgs.some((org) => facts.callerAdministers.includes(org));
}

/**
 * `allow`; `forbidden` (403) when the caller may see the target (they share an org) but not manage its tokens;
 * `hidden` (404, as if the user did not exist) when they share no org, so user ids do not leak across orgs.
 */
export function tokenAccess(caller: Pick<UserRow, 'id'>, target: Pick<UserRow, 'id' | 'type'>, facts: TokenManagementFacts): 'allow' | 'forbidden' | 'hidden' {
  if (mayManageTokensOf(caller, target, facts)) return 'allow';
  return facts.targetOrgs.some((org) => facts.callerOrgs.includes(org)) ? 'forbidden' : 'hidden';
}

/** Org roles as the RBAC tables hold them. rbac-core provides the real lookup; see NO_ORG_ROLES. */
export interface OrgRoles {
  orgRolesOf(userId: string): Promise<ReadonlyArray<{ orgId: string; role: string }>>;
}

/**
 * Until org roles exist (branch rbac-core), nobody holds one: users manage only their own tokens. Denies by
 * default; the composition root passes the real lookup once it exists.
 */
export const NO_ORG_ROLES: OrgRoles = { orgRolesOf: () => Promise.resolve([]) };

export interface NewToken {
  id: string;
  type: string;
  description?: string | undefined;
  /** ISO-8601 UTC; in the future. */
  expires_at?: string | undefined;
}

export interface TokensDeps {
  repos: Pick<CoreRepos, 'tokens' | 'users'>;
  hasher: TokenHasher;
  orgRoles: OrgRoles;
  now?: () => Date;
}

export function createTokenService(deps: TokensDeps) {
  const { repos, hasher, orgRoles } = deps;
  const now = deps.now ?? (() => new Date());

  async function facts(callerId: string, targetId: string): Promise<TokenManagementFacts> {
    const [mine, theirs] = await Promise.all([orgRoles.orgRolesOf(callerId), orgRoles.orgRolesOf(targetId)]);
    return {
      callerAdministers: mine.filter((r) => r.role === 'administrator').map((r) => r.orgId),
      callerOrgs: mine.map((r) => r.orgId),
      targetOrgs: theirs.map((r) => r.orgId),
    };
  }

  /** The target user, when `caller` may manage their tokens; NotFound or Forbidden otherwise. */
  async function requireManageable(caller: UserRow, userId: string): Promise<UserRow> {
    const target = caller.id === userId ? caller : await repos.users.get(userId);
    if (!target) throw new NotFound('user', userId);
    const access = tokenAccess(caller, target, await facts(caller.id, target.id));
    if (access === 'hidden') throw new NotFound('user', userId);
    if (access === 'forbidden') {
      throw new Forbidden(
        target.type === 'service'
          ? `managing the tokens of service user "${userId}" needs the org role administrator in an org of that user`
          : `only user "${userId}" can manage their own tokens`,
        { missing_role: 'administrator', user_id: userId },
      );
    }
    return target;
  }

  async function requireToken(userId: string, tokenId: string): Promise<TokenRow> {
    const row = await repos.tokens.get(userId, tokenId);
    if (!row) throw new NotFound('token', tokenId, undefined, { user_id: userId });
    return row;
  }

  /**
   * Stores the hash of `token` for the user (no permission check: for bootstrap and login, which authenticated
   * the user themselves). Returns the plain token, shown only once.
   */
  async function issue(
    userId: string,
    input: { id: string; description: string; expiresAt?: string | null; createdBy?: string },
    token: string = generateToken(),
    trx?: Executor,
  ): Promise<{ token: string; row: TokenRow }> {
    const row = await repos.tokens.insert(
        {
          id: input.id,
          user_id: userId,
          token_hash: hasher.hash(token),
          description: input.description,
          created_at: nowIso(now()),
          created_by: input.createdBy ?? userId,
          expires_at: input.expiresAt ?? null,
        },
      trx,
    );
    return { token, row };
  }

  return {
    issue,

    /** `POST /users/{userId}/tokens`: checks the caller's right and the input, returns the token once. */
    async create(caller: UserRow, userId: string, input: NewToken): Promise<{ token: string; row: TokenRow }> {
      checkId('id', input.id);
      if (input.type !== TOKEN_TYPE) throw new InvalidInput(`type must be "${TOKEN_TYPE}" (got "${input.type}")`, { field: 'type' });
      const description = input.description ?? '';
      if (description.length > DESCRIPTION_MAX) throw new InvalidInput(`description must be at most ${DESCRIPTION_MAX} characters`, { field: 'description' });
      let expiresAt: string | null = null;
      if (input.expires_at !== undefined) {
        const at = new Date(input.expires_at);
        if (Number.isNaN(at.getTime())) throw new InvalidInput('expires_at must be an ISO-8601 date-time', { field: 'expires_at' });
        if (at.getTime() <= now().getTime()) throw new InvalidInput('expires_at must be in the future', { field: 'expires_at' });
        expiresAt = nowIso(at);
      }
      const target = await requireManageable(caller, userId);
      try {
        return await issue(target.id, { id: input.id, description, expiresAt, createdBy: caller.id });
      } catch (error) {
        if (error instanceof Conflict) throw new Conflict(`user "${userId}" already has a token "${input.id}"`, { kind: 'token', id: input.id, user_id: userId });
        throw error;
      }
    },

    async list(caller: UserRow, userId: string): Promise<TokenRow[]> {
      const target = await requireManageable(caller, userId);
      return repos.tokens.listForUser(target.id);
    },

    async get(caller: UserRow, userId: string, tokenId: string): Promise<TokenRow> {
      const target = await requireManageable(caller, userId);
      return requireToken(target.id, tokenId);
    },

    /** Deletes the row; the token fails authentication from the next request on. */
    async revoke(caller: UserRow, userId: string, tokenId: string): Promise<void> {
      const target = await requireManageable(caller, userId);
      if (!(await repos.tokens.delete(target.id, tokenId))) throw new NotFound('token', tokenId, undefined, { user_id: userId });
    },

    /** The user a bearer token belongs to; `Unauthenticated` when unknown, expired or its user is gone. */
    async authenticate(token: string): Promise<UserRow> {
      const invalid = () => new Unauthenticated('the bearer token is not valid');
      const hash = hasher.hash(token);
      // One statement per request: the token row joined with its user (none when either is gone).
      let found = await repos.tokens.findOwnerByHash(hash);
      if (found === undefined) {
        // A row from before keyed hashing: find it by the old hash and upgrade it now that the token is known.
        const old = legacyHash(token);
        const legacy = await repos.tokens.findByHash(old);
        if (legacy !== undefined && sameHash(legacy.token_hash, old)) {
          await repos.tokens.replaceHash(legacy.user_id, legacy.id, old, hash);
          found = await repos.tokens.findOwnerByHash(hash);
        }
      }
      if (found === undefined || !sameHash(found.token_hash, hash)) throw invalid();
      if (found.expires_at !== null && found.expires_at <= nowIso(now())) throw invalid();
      return found.user;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
