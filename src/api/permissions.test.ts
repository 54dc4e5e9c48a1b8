/**
 * The pure evaluator of the permission matrix, against hand-written expectations (independent of how the matrix
 * is written): deny by default, visibility (404) versus missing role (403), deployer per env type.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PERMISSIONS, describeNeeds, evaluate, isPermissionKey } from './permissions.js';
import type { PermissionKey, Subject } from './permissions.js';

const cases: [string, PermissionKey, Subject, 'allow' | 'hidden-org' | 'hidden-app' | 'hidden-user' | 'forbidden'][] = [
  ['admin writes definitions', 'resource-definitions.write', { orgRole: 'administrator' }, 'allow'],
  ['manager may not write definitions', 'resource-definitions.write', { orgRole: 'manager' }, 'forbidden'],
  ['member may not register drivers', 'drivers.write', { orgRole: 'member' }, 'forbidden'],
  ['member may not create env types', 'env-types.write', { orgRole: 'member' }, 'forbidden'],
  ['manager may not write workload profiles', 'workload-profiles.write', { orgRole: 'manager' }, 'forbidden'],
  ['orgViewer may not write secret stores', 'secret-stores.write', { orgRole: 'orgViewer' }, 'forbidden'],
  ['non-member does not see the org', 'org.read', {}, 'hidden-org'],
  ['member without app role does not see the app', 'app.read', { orgRole: 'member' }, 'hidden-app'],
  ['manager without app role does not see the app', 'app.read', { orgRole: 'manager' }, 'hidden-app'],
  ['orgViewer reads every app', 'app.read', { orgRole: 'orgViewer' }, 'allow'],
  ['orgViewer writes no app', 'app.update', { orgRole: 'orgViewer' }, 'forbidden'],
  ['viewer reads', 'app.read', { orgRole: 'member', appRole: 'viewer' }, 'allow'],
  ['viewer never writes', 'app.update', { orgRole: 'member', appRole: 'viewer' }, 'forbidden'],
  ['developer writes config', 'app.update', { orgRole: 'member', appRole: 'developer' }, 'allow'],
  ['developer deploys with deployer', 'env.deploy', { orgRole: 'member', appRole: 'developer', deployer: true }, 'allow'],
  ['developer without deployer does not deploy', 'env.deploy', { orgRole: 'member', appRole: 'developer', deployer: false }, 'forbidden'],
  ['owner without deployer does not create envs', 'envs.create', { orgRole: 'member', appRole: 'owner', deployer: false }, 'forbidden'],
  ['viewer with deployer does not deploy', 'env.deploy', { orgRole: 'member', appRole: 'viewer', deployer: true }, 'forbidden'],
  ['owner deletes the app with deployer on all its env types', 'app.delete', { orgRole: 'member', appRole: 'owner', deployerOnAllAppEnvTypes: true }, 'allow'],
  ['owner without deployer on all env types does not delete the app', 'app.delete', { orgRole: 'member', appRole: 'owner', deployerOnAllAppEnvTypes: false }, 'forbidden'],
  ['developer does not delete the app', 'app.delete', { orgRole: 'member', appRole: 'developer', deployerOnAllAppEnvTypes: true }, 'forbidden'],
  ['artefactContributor registers artefacts', 'artefacts.write', { orgRole: 'artefactContributor' }, 'allow'],
  ['artefactContributor lists apps', 'apps.list', { orgRole: 'artefactContributor' }, 'allow'],
  ['artefactContributor does not read an app', 'app.read', { orgRole: 'artefactContributor' }, 'forbidden'],
  ['artefactContributor does not create apps', 'apps.create', { orgRole: 'artefactContributor' }, 'forbidden'],
  ['member does not create apps', 'apps.create', { orgRole: 'member' }, 'forbidden'],
  ['manager creates apps', 'apps.create', { orgRole: 'manager' }, 'allow'],
  ['manager invites', 'invitations.create', { orgRole: 'manager' }, 'allow'],
  ['member does not invite', 'invitations.create', { orgRole: 'member' }, 'forbidden'],
  ['a member reads their own perms', 'org-users.perms', { orgRole: 'member', self: true }, 'allow'],
  ['a member does not read others\' perms', 'org-users.perms', { orgRole: 'member', self: false }, 'forbidden'],
  ['own tokens', 'tokens.create', { self: true }, 'allow'],
  ['someone else\'s tokens are invisible', 'tokens.list', { self: false }, 'hidden-user'],
  ['an administrator over the service user manages its tokens', 'tokens.delete', { self: false, orgRole: 'administrator' }, 'allow'],
];

it('evaluates the matrix as Humanitec\'s roles say', () => {
  for (const [name, key, subject, expected] of cases) {
    const decision = evaluate(key, subject);
    const actual = decision.allowed ? 'allow' : decision.hidden ? `hidden-${decision.hidden}` : 'forbidden';
    assert.equal(actual, expected, name);
  }
});

it('names the missing role, and knows only its own keys', () => {
  const decision = evaluate('env.deploy', { orgRole: 'member', appRole: 'developer', deployer: false, envType: 'production' });
  assert.ok(!decision.allowed);
  assert.match(decision.needs, /app role developer or owner with env-type role deployer on "production"/);
  assert.match(describeNeeds(PERMISSIONS['resource-definitions.write']), /^org role administrator$/);
  assert.ok(isPermissionKey('app.read'));
  assert.ok(!isPermissionKey('toString') && !isPermissionKey('__proto__') && !isPermissionKey('nope'));
});
