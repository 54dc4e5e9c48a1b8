import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { it } from 'node:test';
import { createTestDatabase } from '../../src/store/testing.js';
import { startBatonProcess } from '../helpers/baton-process.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  it(`restarting Baton on the same ${dialect} data keeps everything and does not re-seed`, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const first = await startBatonProcess({ database, token: 'first-token' });
      const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
      const created = await fetch(`${first.url}/orgs/local/apps`, {
        method: 'POST',
        headers: auth('first-token'),
        body: JSON.stringify({ id: 'kept', name: 'Kept' }),
      });
      assert.equal(created.status, 201);
      await first.stop();

      // A different bootstrap token on restart must not replace the admin's token.
      const second = await startBatonProcess({ database, token: 'second-token' });
      try {
        const app = await fetch(`${second.url}/orgs/local/apps/kept`, { headers: auth('first-token') });
        assert.equal(app.status, 200);
        assert.deepEqual(((await app.json()) as { envs: Array<{ id: string }> }).envs.map((e) => e.id), ['development']);
        assert.equal((await fetch(`${second.url}/orgs`, { headers: auth('second-token') })).status, 401);
        const types = (await (await fetch(`${second.url}/orgs/local/env-types`, { headers: auth('first-token') })).json()) as unknown[];
        assert.equal(types.length, 3);
        assert.ok(!readdirSync(database.dataDir).includes('admin-token'), 'no generated token when a bootstrap token was given');
      } finally {
        await second.stop();
      }
    } finally {
      await database.cleanup();
    }
  });
}
