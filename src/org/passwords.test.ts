import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkPassword, hashPassword, verifyPassword } from './passwords.js';

it('hashes passwords with scrypt, a per-hash salt and its parameters, and verifies them', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.notEqual(a, b, 'salted');
  assert.ok(!a.includes('correct'));
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterx', a), false);
  assert.equal(await verifyPassword('x', 'not-a-hash'), false);
  assert.equal(await verifyPassword('x', 'scrypt$99999999$8$1$c2FsdA$aGFzaA'), false, 'absurd parameters are refused');
  assert.throws(() => checkPassword('short'), /12 to 1024/);
});
