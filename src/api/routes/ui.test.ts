import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { startInProcessBaton } from '../../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../../test/helpers/in-process.js';
import { createUiRoutes } from './ui.js';

describe('the web UI routes over a bundle', () => {
  let parent: string;
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    // The bundle and the file it must never serve are siblings in a folder of this run, not a fixed name in the
    // shared temporary folder: two runs at once (or a leftover owned by another user) would otherwise share it.
    parent = mkdtempSync(join(tmpdir(), 'baton-ui-'));
    dir = join(parent, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Baton</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'logo.svg'), '<svg/>');
    writeFileSync(join(parent, 'baton-ui-outside.txt'), 'secret');
    app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
    await createUiRoutes(dir)(app, {} as never);
    await app.ready();
  });
  after(async () => {
    await app.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('redirects / to /ui/ and serves index.html at /ui and /ui/ without caching', async () => {
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/ui/');
    for (const url of ['/ui', '/ui/']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(res.body, /<title>Baton/);
    }
  });

  it('serves hashed assets as immutable with their content type, and other files by name', async () => {
    const js = await app.inject({ url: '/ui/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    assert.match(js.headers['cache-control'] as string, /immutable/);
    const svg = await app.inject({ url: '/ui/logo.svg' });
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
  });

  it('answers index.html for screen URLs (deep links) but 404 for a missing asset', async () => {
    const deep = await app.inject({ url: '/ui/orgs/local/apps/shop/envs/development/deploys/abc' });
    assert.equal(deep.statusCode, 200);
    assert.match(deep.body, /<title>Baton/);
    assert.equal((await app.inject({ url: '/ui/assets/nope.js' })).statusCode, 404);
  });

  it('never reads a file outside the bundle', async () => {
    for (const url of ['/ui/../baton-ui-outside.txt', '/ui/%2e%2e/baton-ui-outside.txt', '/ui/assets/..%2f..%2fbaton-ui-outside.txt']) {
      const res = await app.inject({ url });
      assert.doesNotMatch(res.body, /secret/, url);
    }
  });

  it('answers 503 with how to build while there is no bundle, and serves it once built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'baton-ui-empty-'));
    const bare = Fastify();
    await createUiRoutes(empty)(bare, {} as never);
    const missing = await bare.inject({ url: '/ui/' });
    assert.equal(missing.statusCode, 503);
    assert.match(missing.body, /npm run build/);
    writeFileSync(join(empty, 'index.html'), '<!doctype html><title>Later</title>');
    assert.match((await bare.inject({ url: '/ui/orgs/x' })).body, /Later/);
    await bare.close();
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('the web UI routes in Baton', () => {
  let baton: InProcessBaton;
  before(async () => {
    baton = await startInProcessBaton();
  });
  after(() => baton.stop());

  it('serves / and /ui without a token while the API still needs one, and keeps them out of the OpenAPI document', async () => {
    assert.equal((await baton.app.inject({ url: '/' })).statusCode, 302);
    assert.notEqual((await baton.app.inject({ url: '/ui/orgs/local' })).statusCode, 401);
    assert.equal((await baton.app.inject({ url: '/orgs' })).statusCode, 401);
    const paths = Object.keys((await baton.app.inject({ url: '/openapi.json' })).json<{ paths: object }>().paths);
    assert.deepEqual(paths.filter((p) => p === '/' || p.startsWith('/ui')), []);
  });
});
