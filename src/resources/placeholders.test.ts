import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { parsePlaceholderExpression, parseTemplateString, resolvePlaceholders, type PlaceholderScope, type ResourceOutputsView } from './placeholders.js';

const resources: Record<string, ResourceOutputsView> = {
  'postgres.default#modules.api.externals.db': { values: { host: 'db.local', port: 5432, name: 'app' }, secrets: { password: 'pw' }, guresid: 'a'.repeat(40) },
  'dns.default#shared.api-dns': { values: { host: 'api.example.com' }, secrets: {}, guresid: 'b'.repeat(40) },
  'config.default#aws-account': { values: { region: 'eu' }, secrets: {}, guresid: 'c'.repeat(40), account: 'aws-dev' },
  'k8s-service-account.default#modules.api': { values: { name: 'api-sa' }, secrets: {}, guresid: 'd'.repeat(40) },
};

const scope: PlaceholderScope = {
  context: {
    orgId: 'org',
    appId: 'app',
    envId: 'dev',
    envType: 'development',
    res: { type: 'workload', class: 'default', resId: 'modules.api', guresid: 'e'.repeat(40) },
  },
  resource: (ref) => resources[`${ref.type}.${ref.class}#${ref.resId}`],
  select: (subject, direction, target) =>
    subject.type === 'dns' && direction === '<' && target.type === 'route'
      ? [
          { values: { path: '/a' }, secrets: {}, guresid: '1'.repeat(40) },
          { values: { path: '/b' }, secrets: {}, guresid: '2'.repeat(40) },
        ]
      : [],
};

describe('placeholder parsing', () => {
  it('splits text and placeholders and honours both escapes', () => {
    assert.deepEqual(
      parseTemplateString('a ${context.app.id} $${literal} $\\{too}').map((p) => (p.kind === 'text' ? p.text : `<${p.expression}>`)),
      ['a ', '<context.app.id>', ' ${literal} ${too}'],
    );
  });

  it('reads dot, bracket and selector forms', () => {
    assert.deepEqual(parsePlaceholderExpression('resources.postgres.admin#db.outputs.host'), {
      kind: 'resource', ref: { type: 'postgres', class: 'admin', resId: 'db' }, accessor: 'outputs', path: ['host'], text: 'resources.postgres.admin#db.outputs.host',
    });
    const bracket = parsePlaceholderExpression("resources['dns.default#shared.api-dns'].outputs.host");
    assert.equal(bracket.kind, 'resource');
    assert.deepEqual(bracket.kind === 'resource' && bracket.ref, { type: 'dns', class: 'default', resId: 'shared.api-dns' });
    const dotted = parsePlaceholderExpression('resources.dns#shared.api-dns.outputs.host');
    assert.deepEqual(dotted.kind === 'resource' && dotted.ref, { type: 'dns', resId: 'shared.api-dns' });
    const selector = parsePlaceholderExpression('resources.dns<route.outputs.path');
    assert.equal(selector.kind, 'selector');
    assert.deepEqual(selector.kind === 'selector' && [selector.subject, selector.direction, selector.target, selector.path], [{ type: 'dns' }, '<', { type: 'route' }, ['path']]);
    const short = parsePlaceholderExpression('resources.dns.host');
    assert.deepEqual(short.kind === 'resource' && [short.ref, short.accessor, short.path], [{ type: 'dns' }, 'outputs', ['host']]);
  });

  it('rejects malformed placeholders with a clear message', () => {
    assert.throws(() => parseTemplateString('x ${context.app.id'), /unterminated placeholder/);
    assert.throws(() => parsePlaceholderExpression('resources.postgres#db.guresid.x'), /\.guresid has no fields/);
    assert.throws(() => parsePlaceholderExpression("resources['unterminated].x"), /unterminated quoted key/);
  });
});

describe('resolvePlaceholders', () => {
  it('keeps the type of a whole-string placeholder and JSON-encodes non-strings inside text', () => {
    const result = resolvePlaceholders(
      { port: '${resources.postgres#modules.api.externals.db.outputs.port}', url: 'db:${resources.postgres#modules.api.externals.db.outputs.port}', all: '${resources.postgres#modules.api.externals.db.values}' },
      scope,
    );
    assert.deepEqual(result.value, { port: 5432, url: 'db:5432', all: { host: 'db.local', port: 5432, name: 'app' } });
    assert.equal(result.secret, false);
  });

  it('taints the whole string when one part is a secret', () => {
    const result = resolvePlaceholders(
      { url: 'postgres://u:${resources.postgres#modules.api.externals.db.outputs.password}@${resources.postgres#modules.api.externals.db.outputs.host}', host: '${resources.postgres#modules.api.externals.db.outputs.host}' },
      scope,
    );
    assert.equal((result.value as Record<string, string>).url, 'postgres://u:pw@db.local');
    assert.equal(result.secret, true);
    assert.deepEqual(result.secretPaths, ['/url']);
  });

  it('inherits omitted id and class from the referencing resource', () => {
    const result = resolvePlaceholders('${resources.k8s-service-account.outputs.name}', scope);
    assert.equal(result.value, 'api-sa');
    assert.deepEqual(result.references[0]?.ref, { type: 'k8s-service-account', class: 'default', resId: 'modules.api' });
  });

  it('resolves context, guresid, account, bracket and selector placeholders', () => {
    const result = resolvePlaceholders(
      [
        '${context.org.id}/${context.app.id}/${context.env.id}/${context.env.type}',
        '${context.res.id} ${context.res.type} ${context.res.class}',
        '${context.res.guresid}',
        "${resources['config.default#aws-account'].account}",
        "${resources['dns#shared.api-dns'].guresid}",
        '${resources.dns#shared.api-dns<route.outputs.path}',
        'paths=${resources.dns#shared.api-dns<route.outputs.path}',
        '$${context.app.id}',
      ],
      scope,
    );
    assert.deepEqual(result.value, [
      'org/app/dev/development',
      'modules.api workload default',
      'e'.repeat(40),
      'aws-dev',
      'b'.repeat(40),
      ['/a', '/b'],
      'paths=["/a","/b"]',
      '${context.app.id}',
    ]);
  });

  it('fails clearly on unknown references and outputs', () => {
    assert.throws(() => resolvePlaceholders({ a: '${resources.redis#cache.outputs.host}' }, scope), (e: unknown) => e instanceof InvalidInput && /redis\.default#cache is not in the graph/.test(e.message) && /at \/a/.test(e.message));
    assert.throws(() => resolvePlaceholders('${resources.postgres#modules.api.externals.db.outputs.nope}', scope), /has no output "nope"/);
    assert.throws(() => resolvePlaceholders('${context.cluster.id}', scope), /unknown placeholder "\$\{context\.cluster\.id\}"/);
    assert.throws(() => resolvePlaceholders('${values.X}', scope), /unknown placeholder "\$\{values\.X\}"/);
    assert.throws(() => resolvePlaceholders('${resources.dns.outputs.host}', { ...scope, context: { ...scope.context, res: undefined } }), /omits the resource id/);
  });
});
