import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NotFound } from '../shared/errors.js';
import { createMatcher, explainMatch, matchDefinition, NoMatchingDefinition, rankDefinitionsForContext } from './matching.js';
import { def } from './test-helpers.js';

const context = { appId: 'my-app', envId: 'qa-team', envType: 'test' };
const resource = { type: 'postgres', class: 'default', resId: 'modules.my-module.externals.my-resource' };

// §9.3 matrix: A {env_type:test}, B {env_type:development}, C {env_type:test, app_id:my-app}, D {}, E {res_id}, F {class:sensitive}
const all = {
  A: def('def-a', 'postgres', [{ env_type: 'test' }]),
  B: def('def-b', 'postgres', [{ env_type: 'development' }]),
  C: def('def-c', 'postgres', [{ env_type: 'test', app_id: 'my-app' }]),
  D: def('def-d', 'postgres', [{}]),
  E: def('def-e', 'postgres', [{ res_id: 'modules.my-module.externals.my-resource' }]),
  F: def('def-f', 'postgres', [{ class: 'sensitive' }]),
};
type Letter = keyof typeof all;

describe('matching matrix (semantics §9.3)', () => {
  const table: { present: Letter[]; winner: Letter | undefined; matching: Letter[] }[] = [
    { present: ['A', 'B', 'C', 'D', 'E', 'F'], winner: 'E', matching: ['A', 'C', 'D', 'E'] },
    { present: ['A', 'B', 'C', 'D', 'F'], winner: 'C', matching: ['A', 'C', 'D'] },
    { present: ['A', 'B', 'D', 'F'], winner: 'A', matching: ['A', 'D'] },
    { present: ['D'], winner: 'D', matching: ['D'] },
    { present: ['B', 'D', 'F'], winner: 'D', matching: ['D'] },
    { present: ['B', 'F'], winner: undefined, matching: [] },
    { present: ['F'], winner: undefined, matching: [] },
  ];
  for (const row of table) {
    it(`with ${row.present.join(',')} the winner is ${row.winner ?? 'nobody'}`, () => {
      const definitions = row.present.map((l) => all[l]);
      const explanation = explainMatch(definitions, resource, context);
      const matchingIds = explanation.candidates.filter((c) => c.matches).map((c) => c.definitionId).sort();
      assert.deepEqual(matchingIds, row.matching.map((l) => all[l].id).sort());
      if (row.winner === undefined) {
        assert.throws(() => matchDefinition(definitions, resource, context), NoMatchingDefinition);
        assert.equal(explanation.winner, undefined);
      } else {
        assert.equal(matchDefinition(definitions, resource, context).definition.id, all[row.winner].id);
        assert.equal(explanation.winner?.definitionId, all[row.winner].id);
      }
    });
  }

  it('matches class sensitive only with F', () => {
    const definitions = Object.values(all);
    assert.equal(matchDefinition(definitions, { ...resource, class: 'sensitive' }, context).definition.id, 'def-f');
  });
});

describe('matching rules', () => {
  it('treats "*" as any value but less specific than a concrete value', () => {
    const star = def('def-star', 'redis', [{ app_id: '*', env_type: 'test' }]);
    const concrete = def('def-app', 'redis', [{ app_id: 'my-app' }]);
    const r = { type: 'redis', resId: 'shared.cache' };
    assert.equal(matchDefinition([star], r, context).definition.id, 'def-star');
    assert.equal(matchDefinition([star], r, { ...context, appId: 'other-app' }).definition.id, 'def-star');
    // {app_id: my-app} sets app_id; {app_id: *, env_type: test} only narrows by env_type.
    assert.equal(matchDefinition([star, concrete], r, context).definition.id, 'def-app');
  });

  it('lets class "*" match any class, preferring a concrete class on a tie', () => {
    const anyClass = def('def-any', 'redis', [{ class: '*' }]);
    const exact = def('def-exact', 'redis', [{ class: 'fast' }]);
    assert.equal(matchDefinition([anyClass], { type: 'redis', class: 'fast', resId: 'x' }, context).definition.id, 'def-any');
    assert.equal(matchDefinition([anyClass, exact], { type: 'redis', class: 'fast', resId: 'x' }, context).definition.id, 'def-exact');
    assert.equal(matchDefinition([anyClass, exact], { type: 'redis', class: 'default', resId: 'x' }, context).definition.id, 'def-any');
  });

  it('requires both env_id and env_type when both are set', () => {
    const both = def('def-both', 'postgres', [{ env_id: 'qa-team', env_type: 'production' }]);
    const fallback = def('def-fallback', 'postgres', [{}]);
    assert.equal(matchDefinition([both, fallback], resource, context).definition.id, 'def-fallback');
    assert.equal(matchDefinition([both, fallback], resource, { ...context, envType: 'production' }).definition.id, 'def-both');
    const why = explainMatch([both, fallback], resource, context).candidates.find((c) => c.definitionId === 'def-both');
    assert.match(why?.reason ?? '', /env_type is "production", context has "test"/);
  });

  it('does not match a criterion of another class', () => {
    const sensitive = def('def-sensitive', 'postgres', [{ class: 'sensitive' }]);
    assert.throws(() => matchDefinition([sensitive], resource, context), /class "default"/);
    const why = explainMatch([sensitive], resource, context).candidates[0];
    assert.equal(why?.reason, 'does not match: class is "sensitive", resource class is "default"');
  });

  it('ignores deleted definitions and definitions without criteria', () => {
    const deleted = { ...def('def-deleted', 'postgres', [{}]), is_deleted: true };
    const noCriteria = def('def-none', 'postgres', []);
    assert.throws(() => matchDefinition([deleted, noCriteria], resource, context), NoMatchingDefinition);
  });

  it('names type, class, res_id and context and lists nearest candidates when nothing matches', () => {
    const definitions = [all.B, all.F, def('def-other-app', 'postgres', [{ app_id: 'other-app', env_type: 'staging' }])];
    let caught: unknown;
    try {
      matchDefinition(definitions, resource, context);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof NoMatchingDefinition);
    assert.ok(caught instanceof NotFound);
    const message = (caught as Error).message;
    assert.match(message, /no resource definition matches type "postgres", class "default", res_id "modules\.my-module\.externals\.my-resource"/);
    assert.match(message, /app "my-app", env "qa-team" \(env type "test"\)/);
    assert.match(message, /def-b \{class=default, env_type=development\}: does not match: env_type is "development", context has "test"/);
    assert.match(message, /def-f \{class=sensitive\}: does not match: class is "sensitive"/);
    // One mismatch ranks nearer than two.
    assert.ok(message.indexOf('def-other-app') > message.indexOf('def-b'));
    assert.equal((caught).details.type, 'postgres');
  });

  it('explains why each matching candidate lost', () => {
    const explanation = explainMatch(Object.values(all), resource, context);
    const reasons = Object.fromEntries(explanation.candidates.map((c) => [c.definitionId, c.reason]));
    assert.equal(reasons['def-e'], 'winner');
    assert.match(reasons['def-c']!, /less specific: the winner \(def-e\) sets res_id/);
    assert.match(reasons['def-b']!, /^does not match/);
    assert.equal(explanation.candidates[0]?.definitionId, 'def-e');
  });

  it('breaks ties deterministically by age, then id', () => {
    const older = { ...def('def-zzz', 'redis', [{ app_id: '*' }]), created_at: '2024-01-01T00:00:00Z' };
    const newer = { ...def('def-aaa', 'redis', [{}]), created_at: '2025-01-01T00:00:00Z' };
    const r = { type: 'redis', resId: 'x' };
    assert.equal(matchDefinition([newer, older], r, context).definition.id, 'def-zzz');
    const untimed = [def('def-b2', 'redis', [{}]), def('def-a2', 'redis', [{ env_type: '*' }])];
    assert.equal(matchDefinition(untimed, r, context).definition.id, 'def-a2');
    assert.equal(matchDefinition([...untimed].reverse(), r, context).definition.id, 'def-a2');
  });

  it('agrees with the exhaustive explanation for arbitrary definitions and contexts', () => {
    const value = fc.constantFrom(undefined, '*', 'a', 'b');
    const criterion = fc.record({ app_id: value, env_id: value, env_type: value, res_id: value, class: fc.constantFrom(undefined, '*', 'default', 'x') });
    const clean = (c: Record<string, string | undefined>) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Record<string, string>;
    fc.assert(
      fc.property(fc.array(fc.array(criterion, { minLength: 1, maxLength: 3 }), { maxLength: 8 }), fc.constantFrom('a', 'b'), fc.constantFrom('default', 'x'), (defs, ctx, cls) => {
        const definitions = defs.map((criteria, i) => ({ ...def(`def-${i}x`, 'redis', []), criteria: criteria.map((c, j) => ({ id: `c${j}`, class: 'default', ...clean(c) })) }));
        const r = { type: 'redis', class: cls, resId: ctx };
        const c = { appId: ctx, envId: ctx, envType: ctx };
        const fast = createMatcher(definitions).tryMatch(r, c);
        const slow = explainMatch(definitions, r, c).winner;
        assert.equal(fast?.definition.id, slow?.definitionId);
        assert.equal(fast?.criterion.id, slow?.criterion.id);
      }),
      { numRuns: 500 },
    );
  });
});

describe('rankDefinitionsForContext', () => {
  it('keeps definitions that could match the filters, grouped by type, best rank first', () => {
    const definitions = [...Object.values(all), def('redis-any', 'redis', [{}])];
    const ranked = rankDefinitionsForContext(definitions, { app: 'my-app', env_type: 'test' });
    assert.deepEqual(
      ranked.map((r) => r.definition.id),
      // postgres: E (res_id could match any res), C, A, D, F (class unfiltered); B excluded by env_type
      ['def-e', 'def-c', 'def-a', 'def-d', 'def-f', 'redis-any'],
    );
    const onlyPostgresDefault = rankDefinitionsForContext(definitions, { res_type: 'postgres', class: 'default', env_type: 'development' });
    assert.deepEqual(onlyPostgresDefault.map((r) => r.definition.id), ['def-e', 'def-b', 'def-d']);
  });

  it('lists everything, by type then id, without filters', () => {
    const ranked = rankDefinitionsForContext([def('zeta', 'redis', []), def('alpha', 'redis', [{}]), def('beta', 'dns', [])]);
    assert.deepEqual(ranked.map((r) => r.definition.id), ['beta', 'alpha', 'zeta']);
  });
});
