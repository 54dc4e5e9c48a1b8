import { join, resolve } from 'node:path';
import { writePrivateFile } from '../shared/private-fs.js';
import { SEEDED_ENV_TYPES } from './services.js';
import { generateToken } from './tokens.js';
import type { CoreServices } from './services.js';

export interface BootstrapOptions {
  orgId: string;
  /** The admin's token on first start; a random one is generated when absent. */
  bootstrapToken?: string | undefined;
  /** Where `admin-token` is written when the token is generated. */
  dataDir: string;
}

export interface BootstrapResult {
  /** True when this call created the org (first start for this org id). */
  seededOrg: boolean;
  /** True when this call created the administrator (first start of this database). */
  seededAdmin: boolean;
  /** Path of the file holding a generated admin token, when one was generated now. */
  adminTokenFile?: string;
}

const SEED_ACTOR = 'baton';

/**
 * First-start seeding, idempotent: the org `orgId` with env types development/staging/production when the org
 * does not exist yet, and an administrator (org role `administrator` of `orgId`) with an API token when the
 * database has no user at all.
 * Restarting on the same data changes nothing (and never rotates the admin token).
 */
export async function bootstrap(services: CoreServices, options: BootstrapOptions): Promise<BootstrapResult> {
  const result: BootstrapResult = { seededOrg: false, seededAdmin: false };
  await services.store.transaction(async (trx) => {
    if (!(await services.repos.orgs.get(options.orgId, trx))) {
      await services.orgs.create({ id: options.orgId, name: options.orgId }, SEED_ACTOR, trx);
      for (const id of SEEDED_ENV_TYPES) {
        await services.envTypes.create(options.orgId, { id, description: `${id} environments` }, SEED_ACTOR, trx);
      }
      result.seededOrg = true;
      // A new org on a database that already has users: the administrators of the other orgs (the bootstrap
      // administrator among them) administer it too, so it is never without an administrator.
      if ((await services.repos.users.count(trx)) > 0) {
        const admins = new Set<string>();
        for (const org of await services.repos.orgs.list(trx)) {
          for (const m of await services.repos.rbac.orgMembers(org.id, trx)) if (m.role === 'administrator') admins.add(m.user_id);
        }
        for (const userId of admins) await services.roles.org.add(options.orgId, userId, 'administrator', trx);
      }
    }
    if ((await services.repos.users.count(trx)) === 0) {
      const admin = await services.users.create({ name: 'Administrator', type: 'user' }, trx);
      const token = options.bootstrapToken ?? generateToken();
      await services.tokens.issue(admin.id, { id: 'bootstrap', description: 'bootstrap administrator token' }, token, trx);
      await services.roles.org.add(options.orgId, admin.id, 'administrator', trx);
      result.seededAdmin = true;
      if (options.bootstrapToken === undefined) {
        // Written inside the transaction: if the file cannot be written, no admin exists whose token is lost.
        result.adminTokenFile = writeAdminToken(options.dataDir, token);
      }
    }
  });
  return result;
}

function writeAdminToken(dataDir: string, token: string): string {
  const file = resolve(join(dataDir, 'admin-token'));
  writePrivateFile(file, token + '\n');
  return file;
}
