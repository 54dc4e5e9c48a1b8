import { NotFound } from '../shared/errors.js';
import {
  DEFAULT_CLASS,
  WILDCARD,
  describeCriterion,
  formatDescriptor,
  type MatchingCriterion,
  type ResourceDefinition,
} from './definitions.js';

/**
 * Choosing a definition for a resource (Humanitec's matching rule):
 *
 * 1. Candidates are the non-deleted definitions of the resource's type.
 * 2. A criterion matches when every field it sets equals the context: `app_id`, `env_id`, `env_type`,
 *    `res_id`, and `class` (which defaults to `default`). `*` matches any value. A definition without
 *    criteria never matches.
 * 3. The winner is the matching criterion whose most specific set field is the most specific, comparing
 *    `res_id` > `env_id` > `app_id` > `env_type`, then the next field, and so on. A `*` counts as "not set"
 *    here: it narrows nothing.
 * 4. Duplicate criteria are refused at write time, so two criteria with the same specificity that both
 *    match differ only by `*`. Baton still breaks every tie deterministically: a concrete class beats
 *    `class: *`, then the older definition (`created_at`), then the smaller definition id, then the
 *    smaller criterion id.
 */

export interface ResourceToMatch {
  type: string;
  /** Defaults to `default`. */
  class?: string;
  resId: string;
}

export interface MatchContext {
  appId: string;
  envId: string;
  envType: string;
}

export interface MatchResult {
  definition: ResourceDefinition;
  criterion: MatchingCriterion;
}

/** Fields in decreasing specificity. */
const SPECIFICITY = ['res_id', 'env_id', 'app_id', 'env_type'] as const;
type SpecificField = (typeof SPECIFICITY)[number];

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== WILDCARD;
}

/** Bit 3 = res_id … bit 0 = env_type: comparing the numbers compares specificity lexicographically. */
export function specificityOf(criterion: Omit<MatchingCriterion, 'id'>): number {
  let rank = 0;
  for (const field of SPECIFICITY) rank = (rank << 1) | (isSet(criterion[field]) ? 1 : 0);
  return rank;
}

function contextValue(field: SpecificField, resource: ResourceToMatch, context: MatchContext): string {
  switch (field) {
    case 'res_id':
      return resource.resId;
    case 'env_id':
      return context.envId;
    case 'app_id':
      return context.appId;
    case 'env_type':
      return context.envType;
  }
}

interface Candidate {
  definition: ResourceDefinition;
  criterion: MatchingCriterion;
  rank: number;
  concreteClass: boolean;
}

/** Negative when `a` should win over `b`. */
function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.concreteClass !== b.concreteClass) return a.concreteClass ? -1 : 1;
  const ca = a.definition.created_at ?? '';
  const cb = b.definition.created_at ?? '';
  if (ca !== cb) {
    // A missing timestamp sorts last: a definition we know to be older is the stable choice.
    if (ca === '') return 1;
    if (cb === '') return -1;
    return ca < cb ? -1 : 1;
  }
  if (a.definition.id !== b.definition.id) return a.definition.id < b.definition.id ? -1 : 1;
  if (a.criterion.id !== b.criterion.id) return a.criterion.id < b.criterion.id ? -1 : 1;
  return 0;
}

function toCandidate(definition: ResourceDefinition, criterion: MatchingCriterion): Candidate {
  return { definition, criterion, rank: specificityOf(criterion), concreteClass: criterion.class !== WILDCARD };
}

/** Why a criterion does not match, or `undefined` when it does. */
export function criterionMismatch(criterion: MatchingCriterion, resource: ResourceToMatch, context: MatchContext): string | undefined {
  const resourceClass = resource.class ?? DEFAULT_CLASS;
  const criterionClass = criterion.class || DEFAULT_CLASS;
  if (criterionClass !== WILDCARD && criterionClass !== resourceClass) {
    return `class is "${criterionClass}", resource class is "${resourceClass}"`;
  }
  for (const field of SPECIFICITY) {
    const wanted = criterion[field];
    if (!isSet(wanted)) continue;
    const actual = contextValue(field, resource, context);
    if (wanted !== actual) return `${field} is "${wanted}", context has "${actual}"`;
  }
  return undefined;
}

/**
 * A matcher over a fixed list of definitions. Build it once per deployment (or once per definitions change)
 * and resolve many resources: each resolution is at most 32 hash lookups (16 specificity patterns × concrete
 * class or `*`, only those that occur), independent of how many definitions exist.
 */
export interface Matcher {
  match(resource: ResourceToMatch, context: MatchContext): MatchResult;
  /** Like `match` but returns `undefined` instead of throwing. */
  tryMatch(resource: ResourceToMatch, context: MatchContext): MatchResult | undefined;
  readonly definitions: readonly ResourceDefinition[];
}

const SEP = '\u0000';

function patternKey(pattern: number, cls: string, res: string, env: string, app: string, envType: string): string {
  let key = pattern.toString(16) + SEP + cls;
  if (pattern & 8) key += SEP + res;
  if (pattern & 4) key += SEP + env;
  if (pattern & 2) key += SEP + app;
  if (pattern & 1) key += SEP + envType;
  return key;
}

interface TypeIndex {
  /** Specificity patterns that occur among this type's criteria, most specific first, each with whether `class: *` occurs. */
  patterns: { pattern: number; hasWildcardClass: boolean }[];
  byKey: Map<string, Candidate[]>;
}

export function createMatcher(definitions: readonly ResourceDefinition[]): Matcher {
  const index = new Map<string, TypeIndex>();
  for (const definition of definitions) {
    if (definition.is_deleted) continue;
    let typeIndex = index.get(definition.type);
    if (!typeIndex) index.set(definition.type, (typeIndex = { patterns: [], byKey: new Map<string, Candidate[]>() }));
    for (const criterion of definition.criteria) {
      const candidate = toCandidate(definition, criterion);
      const cls = criterion.class || DEFAULT_CLASS;
      const key = patternKey(candidate.rank, cls, criterion.res_id ?? '', criterion.env_id ?? '', criterion.app_id ?? '', criterion.env_type ?? '');
      const bucket = typeIndex.byKey.get(key);
      if (bucket) bucket.push(candidate);
      else typeIndex.byKey.set(key, [candidate]);
      let entry = typeIndex.patterns.find((p) => p.pattern === candidate.rank);
      if (!entry) typeIndex.patterns.push((entry = { pattern: candidate.rank, hasWildcardClass: false }));
      if (cls === WILDCARD) entry.hasWildcardClass = true;
    }
  }
  for (const typeIndex of index.values()) {
    typeIndex.patterns.sort((a, b) => b.pattern - a.pattern);
    for (const bucket of typeIndex.byKey.values()) bucket.sort(compareCandidates);
  }

  // Hot path: only the specificity patterns that exist for the type are tried, most specific first,
  // so a resolution costs a handful of hash lookups however many definitions there are.
  function tryMatch(resource: ResourceToMatch, context: MatchContext): MatchResult | undefined {
    const typeIndex = index.get(resource.type);
    if (!typeIndex) return undefined;
    const cls = resource.class ?? DEFAULT_CLASS;
    const { resId } = resource;
    const { envId, appId, envType } = context;
    for (const { pattern, hasWildcardClass } of typeIndex.patterns) {
      const exact = typeIndex.byKey.get(patternKey(pattern, cls, resId, envId, appId, envType))?.[0];
      const wildcard =
        hasWildcardClass && cls !== WILDCARD ? typeIndex.byKey.get(patternKey(pattern, WILDCARD, resId, envId, appId, envType))?.[0] : undefined;
      const winner = exact && wildcard ? (compareCandidates(exact, wildcard) <= 0 ? exact : wildcard) : (exact ?? wildcard);
      if (winner) return { definition: winner.definition, criterion: winner.criterion };
    }
    return undefined;
  }

  return {
    definitions,
    tryMatch,
    match(resource, context) {
      const found = tryMatch(resource, context);
      if (found) return found;
      throw noMatchError(definitions, resource, context);
    },
  };
}

/** No definition matches a resource in a context. Lists the nearest candidates and why each failed. */
export class NoMatchingDefinition extends NotFound {
  constructor(resource: ResourceToMatch, context: MatchContext, nearest: readonly CandidateExplanation[], extra = '') {
    const cls = resource.class ?? DEFAULT_CLASS;
    const descriptor = formatDescriptor({ type: resource.type, class: cls, resId: resource.resId });
    const lines = nearest.map((c) => `  - ${c.definitionId} ${describeCriterion(c.criterion)}: ${c.reason}`);
    const message =
      `no resource definition matches type "${resource.type}", class "${cls}", res_id "${resource.resId}" ` +
      `in app "${context.appId}", env "${context.envId}" (env type "${context.envType}")${extra}` +
      (lines.length > 0 ? `; nearest candidates:\n${lines.join('\n')}` : `; no definition of type "${resource.type}" has matching criteria`);
    super('resource definition', descriptor, message, {
      type: resource.type,
      class: cls,
      res_id: resource.resId,
      app_id: context.appId,
      env_id: context.envId,
      env_type: context.envType,
      nearest: nearest.map((c) => ({ def_id: c.definitionId, criteria_id: c.criterion.id, reason: c.reason })),
    });
  }
}

function noMatchError(definitions: readonly ResourceDefinition[], resource: ResourceToMatch, context: MatchContext): NoMatchingDefinition {
  const explanation = explainMatch(definitions, resource, context);
  // Nearest = fewest mismatching fields, then most specific; at most five keep the message readable.
  const nearest = [...explanation.candidates]
    .sort((a, b) => a.mismatches - b.mismatches || b.specificity - a.specificity || (a.definitionId < b.definitionId ? -1 : 1))
    .slice(0, 5);
  return new NoMatchingDefinition(resource, context, nearest);
}

/** Convenience for a single resolution; build a `Matcher` with `createMatcher` to resolve many. */
export function matchDefinition(definitions: readonly ResourceDefinition[], resource: ResourceToMatch, context: MatchContext): MatchResult {
  return createMatcher(definitions).match(resource, context);
}

export interface CandidateExplanation {
  definitionId: string;
  criterion: MatchingCriterion;
  matches: boolean;
  /** 0–15, higher is more specific (bits res_id, env_id, app_id, env_type). */
  specificity: number;
  /** Number of criterion fields that disagree with the context (0 for matching criteria). */
  mismatches: number;
  /** `winner`, why it does not match, or why it lost to the winner. */
  reason: string;
}

export interface MatchExplanation {
  resource: { type: string; class: string; res_id: string };
  context: MatchContext;
  winner?: { definitionId: string; criterion: MatchingCriterion };
  /** Every criterion of every definition of the type, best first. */
  candidates: CandidateExplanation[];
}

function countMismatches(criterion: MatchingCriterion, resource: ResourceToMatch, context: MatchContext): number {
  let n = 0;
  const cls = resource.class ?? DEFAULT_CLASS;
  if (criterion.class !== WILDCARD && (criterion.class || DEFAULT_CLASS) !== cls) n++;
  for (const field of SPECIFICITY) {
    const wanted = criterion[field];
    if (isSet(wanted) && wanted !== contextValue(field, resource, context)) n++;
  }
  return n;
}

function lossReason(loser: Candidate, winner: Candidate): string {
  if (loser.rank !== winner.rank) {
    for (const [i, field] of SPECIFICITY.entries()) {
      const bit = 8 >> i;
      if ((winner.rank & bit) !== (loser.rank & bit)) {
        return `less specific: the winner (${winner.definition.id}) sets ${field}, this criterion does not`;
      }
    }
  }
  if (loser.concreteClass !== winner.concreteClass) return `tie on specificity; the winner names the class, this criterion uses "*"`;
  if ((loser.definition.created_at ?? '') !== (winner.definition.created_at ?? '')) {
    return `tie on specificity; the winner's definition is older`;
  }
  if (loser.definition.id !== winner.definition.id) return `tie on specificity; the winner's definition id sorts first`;
  return `tie on specificity; the winner's criterion id sorts first`;
}

/**
 * Explains a match: the winner (identical to `matchDefinition`'s choice), every criterion of every
 * definition of the type, and why each one lost or did not match. Backs `GET /orgs/{orgId}/baton/match`.
 */
export function explainMatch(definitions: readonly ResourceDefinition[], resource: ResourceToMatch, context: MatchContext): MatchExplanation {
  const cls = resource.class ?? DEFAULT_CLASS;
  const matching: Candidate[] = [];
  const rows: { candidate: Candidate; mismatch?: string }[] = [];
  for (const definition of definitions) {
    if (definition.is_deleted || definition.type !== resource.type) continue;
    for (const criterion of definition.criteria) {
      const candidate = toCandidate(definition, criterion);
      const mismatch = criterionMismatch(criterion, resource, context);
      rows.push(mismatch === undefined ? { candidate } : { candidate, mismatch });
      if (mismatch === undefined) matching.push(candidate);
    }
  }
  matching.sort(compareCandidates);
  const winner = matching[0];
  const candidates = rows.map(({ candidate, mismatch }): CandidateExplanation => ({
    definitionId: candidate.definition.id,
    criterion: candidate.criterion,
    matches: mismatch === undefined,
    specificity: candidate.rank,
    mismatches: countMismatches(candidate.criterion, resource, context),
    reason:
      mismatch !== undefined
        ? `does not match: ${mismatch}`
        : candidate === winner
          ? 'winner'
          : lossReason(candidate, winner!),
  }));
  candidates.sort((a, b) => {
    if (a.matches !== b.matches) return a.matches ? -1 : 1;
    if (a.matches) {
      const ia = matching.findIndex((c) => c.criterion === a.criterion && c.definition.id === a.definitionId);
      const ib = matching.findIndex((c) => c.criterion === b.criterion && c.definition.id === b.definitionId);
      return ia - ib;
    }
    return b.specificity - a.specificity || (a.definitionId < b.definitionId ? -1 : a.definitionId > b.definitionId ? 1 : 0);
  });
  return {
    resource: { type: resource.type, class: cls, res_id: resource.resId },
    context,
    ...(winner ? { winner: { definitionId: winner.definition.id, criterion: winner.criterion } } : {}),
    candidates,
  };
}

/** Filters of `GET /orgs/{orgId}/resources/defs`; an absent filter accepts any value. */
export interface DefinitionFilters {
  app?: string;
  env?: string;
  env_type?: string;
  res?: string;
  res_type?: string;
  class?: string;
}

export interface RankedDefinition {
  definition: ResourceDefinition;
  /** The definition's criterion that could match the filters and ranks highest; absent when no filter is set. */
  criterion?: MatchingCriterion;
  specificity: number;
}

function couldMatch(criterion: MatchingCriterion, filters: DefinitionFilters): boolean {
  const pairs: [string | undefined, string | undefined][] = [
    [criterion.app_id, filters.app],
    [criterion.env_id, filters.env],
    [criterion.env_type, filters.env_type],
    [criterion.res_id, filters.res],
  ];
  for (const [wanted, given] of pairs) if (isSet(wanted) && given !== undefined && given !== '' && wanted !== given) return false;
  const cls = criterion.class || DEFAULT_CLASS;
  if (filters.class !== undefined && filters.class !== '' && cls !== WILDCARD && cls !== filters.class) return false;
  return true;
}

/**
 * The definitions that could match the filters, grouped by type (alphabetically) and, within a type,
 * best matching rank first: what Humanitec's defs list does. With no filters at all, every
 * non-deleted definition is listed (by type, then id).
 */
export function rankDefinitionsForContext(definitions: readonly ResourceDefinition[], filters: DefinitionFilters = {}): RankedDefinition[] {
  const criteriaFilters = [filters.app, filters.env, filters.env_type, filters.res, filters.class].some((f) => f !== undefined && f !== '');
  const ranked: (RankedDefinition & { candidate?: Candidate })[] = [];
  for (const definition of definitions) {
    if (definition.is_deleted) continue;
    if (filters.res_type && definition.type !== filters.res_type) continue;
    let best: Candidate | undefined;
    for (const criterion of definition.criteria) {
      if (!couldMatch(criterion, filters)) continue;
      const candidate = toCandidate(definition, criterion);
      if (!best || compareCandidates(candidate, best) < 0) best = candidate;
    }
    if (criteriaFilters && !best) continue;
    ranked.push(
      best ? { definition, criterion: best.criterion, specificity: best.rank, candidate: best } : { definition, specificity: -1 },
    );
  }
  ranked.sort((a, b) => {
    if (a.definition.type !== b.definition.type) return a.definition.type < b.definition.type ? -1 : 1;
    if (a.candidate && b.candidate) return compareCandidates(a.candidate, b.candidate);
    if (a.candidate || b.candidate) return a.candidate ? -1 : 1;
    return a.definition.id < b.definition.id ? -1 : a.definition.id > b.definition.id ? 1 : 0;
  });
  return ranked.map(({ candidate: _c, ...rest }) => rest);
}
