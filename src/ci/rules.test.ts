import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { imageRepository, imageUpdates, parseRule, ruleAccepts, versionImage } from './rules.js';

const NAME = 'registry.example.com/acme/web';

describe('automation rules: parsing', () => {
  it('fills the defaults and keeps the style', () => {
    const rule = parseRule({ type: 'update', match_ref: '^refs/heads/main$' });
    assert.deepEqual(rule, {
      style: 'artefacts',
      type: 'update',
      active: true,
      artefacts_filter: [],
      exclude_artefacts_filter: false,
      match_ref: '^refs/heads/main$',
      images_filter: [],
      exclude_images_filter: false,
      update_to: 'branch',
      match: '',
    });
    assert.equal(parseRule({ type: 'update', update_to: 'tag' }).style, 'images');
  });

  it('refuses mixing the deprecated and the current fields, a type other than update, a bad update_to', () => {
    assert.throws(() => parseRule({ type: 'update', artefacts_filter: [NAME], images_filter: ['web'] }), (e) => e instanceof InvalidInput && /not both/.test(e.message));
    assert.throws(() => parseRule({ type: 'update', match_ref: 'x', match: 'y' }), InvalidInput);
    assert.throws(() => parseRule({ type: 'delete' }), /type: must be "update"/);
    assert.throws(() => parseRule({ type: 'update', update_to: 'commit' }), /update_to/);
  });

  it('refuses a regex that does not compile and one that could backtrack exponentially', () => {
    assert.throws(() => parseRule({ type: 'update', match_ref: '^refs/(heads' }), (e) => e instanceof InvalidInput && /not a valid regular expression/.test(e.message));
    assert.throws(() => parseRule({ type: 'update', match_ref: '^(a+)+$' }), (e) => e instanceof InvalidInput && /refused/.test(e.message));
    assert.throws(() => parseRule({ type: 'update', match: '(x|xx)*y' }), InvalidInput);
  });
});

describe('automation rules: matching', () => {
  const v = (ref: string, name = NAME) => ({ name, ref });

  it('artefacts_filter includes, or excludes with exclude_artefacts_filter; empty means all', () => {
    assert.ok(ruleAccepts(parseRule({ type: 'update' }), v('refs/heads/x')));
    assert.ok(ruleAccepts(parseRule({ type: 'update', artefacts_filter: [NAME] }), v('refs/heads/x')));
    assert.ok(!ruleAccepts(parseRule({ type: 'update', artefacts_filter: ['other'] }), v('refs/heads/x')));
    assert.ok(!ruleAccepts(parseRule({ type: 'update', artefacts_filter: [NAME], exclude_artefacts_filter: true }), v('refs/heads/x')));
    assert.ok(ruleAccepts(parseRule({ type: 'update', artefacts_filter: ['other'], exclude_artefacts_filter: true }), v('refs/heads/x')));
  });

  it('match_ref is a regex on the ref; an inactive rule accepts nothing', () => {
    const main = parseRule({ type: 'update', match_ref: '^refs/heads/main$' });
    assert.ok(ruleAccepts(main, v('refs/heads/main')));
    assert.ok(!ruleAccepts(main, v('refs/heads/main-2')));
    assert.ok(!ruleAccepts(parseRule({ type: 'update', active: false }), v('refs/heads/main')));
    assert.ok(!ruleAccepts(parseRule({ type: 'update' }), v(`refs/heads/${'a'.repeat(2000)}`)), 'an over-long ref is never matched');
  });

  it('deprecated style: images_filter on the image id, update_to branch|tag, match on the branch or tag name', () => {
    const tags = parseRule({ type: 'update', update_to: 'tag', match: '^v[0-9]+' });
    assert.ok(ruleAccepts(tags, v('refs/tags/v1.2.0')));
    assert.ok(!ruleAccepts(tags, v('refs/heads/v1')), 'a branch is not a tag');
    assert.ok(!ruleAccepts(tags, v('refs/tags/latest')));
    const branch = parseRule({ type: 'update', images_filter: ['web'], match: '^main$' });
    assert.ok(ruleAccepts(branch, v('refs/heads/main')));
    assert.ok(!ruleAccepts(branch, v('refs/heads/main', 'registry.example.com/acme/api')));
    assert.ok(!ruleAccepts(branch, v('refs/tags/main')));
  });
});

describe('automation rules: what to update', () => {
  it('image repositories and version images', () => {
    assert.equal(imageRepository('reg:5000/acme/web:1.2@sha256:abc'), 'reg:5000/acme/web');
    assert.equal(imageRepository('reg:5000/acme/web'), 'reg:5000/acme/web');
    assert.equal(imageRepository('nginx'), 'nginx');
    assert.equal(versionImage({ name: NAME, version: '1.1', digest: '' }), `${NAME}:1.1`);
    assert.equal(versionImage({ name: NAME, version: '', digest: 'sha256:ab' }), `${NAME}@sha256:ab`);
    assert.equal(versionImage({ name: NAME, version: '', digest: '' }), undefined);
  });

  it('replaces the image of every container of the artefact, in every module, and nothing else', () => {
    const modules = {
      web: { spec: { containers: { main: { image: `${NAME}:1.0` }, 'side/car': { image: 'busybox:1' } } } },
      worker: { spec: { containers: { run: { image: `${NAME}@sha256:00` } } } },
      other: { spec: { containers: { x: { image: `${NAME}-api:1` } } } },
      same: { spec: { containers: { y: { image: `${NAME}:1.1` } } } },
    };
    assert.deepEqual(imageUpdates(modules, NAME, `${NAME}:1.1`), {
      web: [{ op: 'replace', path: '/spec/containers/main/image', value: `${NAME}:1.1` }],
      worker: [{ op: 'replace', path: '/spec/containers/run/image', value: `${NAME}:1.1` }],
    });
  });
});
