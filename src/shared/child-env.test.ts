import assert from 'node:assert/strict';
import { it } from 'node:test';
import { childProcessEnv } from './child-env.js';

it("child processes (terraform, git) never see Baton's own settings: no secret key, no database URL", () => {
  const saved = { key: process.env.BATON_SECRET_KEY, url: process.env.BATON_DATABASE_URL };
  process.env.BATON_SECRET_KEY = 'ab'.repeat(32);
  process.env.BATON_DATABASE_URL = 'postgres://baton:hunter2@db/baton';
  try {
    const env = childProcessEnv({ TF_INPUT: '0' });
    assert.equal(env.BATON_SECRET_KEY, undefined);
    assert.equal(env.BATON_DATABASE_URL, undefined);
    assert.equal(env.TF_INPUT, '0');
    assert.equal(env.PATH, process.env.PATH, 'the rest of the environment is passed on');
  } finally {
    if (saved.key === undefined) delete process.env.BATON_SECRET_KEY;
    else process.env.BATON_SECRET_KEY = saved.key;
    if (saved.url === undefined) delete process.env.BATON_DATABASE_URL;
    else process.env.BATON_DATABASE_URL = saved.url;
  }
});
