import assert from 'node:assert/strict';
import { it } from 'node:test';
import { may, objectPath } from './perms.js';
import type { Access } from './perms.js';

const known: Access = {
  state: 'known',
  perms: {
    objects: {
      '/orgs/o': { permissions: ['org.read'] },
      '/orgs/o/apps/shop': { permissions: ['app.read', 'app.update'] },
      '/orgs/o/apps/shop/envs/dev': { permissions: ['automation-rules.read', 'env.deploy'] },
      '/orgs/o/apps/shop/envs/prod': { permissions: ['automation-rules.read'] },
    },
  },
};

it('names the object paths of the perms endpoint', () => {
  assert.equal(objectPath({ org: 'o' }), '/orgs/o');
  assert.equal(objectPath({ org: 'o', app: 'shop' }), '/orgs/o/apps/shop');
  assert.equal(objectPath({ org: 'o', app: 'shop', env: 'dev' }), '/orgs/o/apps/shop/envs/dev');
});

it('offers an action only where the perms endpoint lists its permission on that very object', () => {
  assert.equal(may(known, 'env.deploy', { org: 'o', app: 'shop', env: 'dev' }), true);
  assert.equal(may(known, 'env.deploy', { org: 'o', app: 'shop', env: 'prod' }), false);
  assert.equal(may(known, 'env.deploy', { org: 'o', app: 'shop' }), false, 'an env permission is not held on the app');
  assert.equal(may(known, 'app.update', { org: 'o', app: 'billing' }), false, 'an app the user cannot see');
  assert.equal(may(known, 'org.read', { org: 'other' }), false);
});

it('hides actions until the perms are known, and leaves the decision to the server when they cannot be had', () => {
  assert.equal(may({ state: 'loading' }, 'env.deploy', { org: 'o', app: 'shop', env: 'dev' }), false);
  assert.equal(may({ state: 'unavailable' }, 'env.deploy', { org: 'o', app: 'shop', env: 'dev' }), true);
});
