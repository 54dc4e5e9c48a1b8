/** `baton/directory`: one YAML file per object under `<root>/<app>/<env>/`, no git; Secrets as `secrets` says (SOPS by default). */
import { rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertId } from './paths.js';
import { desiredObjects, objectKey } from './objects.js';
import { readObjects, syncObjectFiles } from './file-tree.js';
import { REFUSE_SECRETS } from './secrets.js';
import type { SecretsPolicy } from './secrets.js';
import type { ApplyRequest, ApplyResult, K8sObject, RemoveEnvironmentResult, Target } from './types.js';

export class DirectoryTarget implements Target {
  readonly id = 'baton/directory';

  constructor(
    private readonly root: string,
    private readonly secrets: SecretsPolicy = REFUSE_SECRETS,
  ) {}

  envDir(appId: string, envId: string): string {
    return join(this.root, assertId('app', appId), assertId('env', envId));
  }

  async apply(request: ApplyRequest): Promise<ApplyResult> {
    const { objects, warnings } = await this.secrets.prepare(desiredObjects(request), request);
    const result = await syncObjectFiles(this.envDir(request.appId, request.envId), objects, this.secrets.codec);
    return warnings.length > 0 ? { ...result, warnings } : result;
  }

  lastApplied(appId: string, envId: string): Promise<K8sObject[]> {
    return readObjects(this.envDir(appId, envId), this.secrets.codec);
  }

  /** The environment is deleted: its folder goes (and the app's, when it is left empty). */
  async removeEnvironment(appId: string, envId: string): Promise<RemoveEnvironmentResult> {
    const dir = this.envDir(appId, envId);
    const removed = (await readObjects(dir)).map((o) => objectKey(o)).sort();
    await rm(dir, { recursive: true, force: true });
    await rmdir(join(this.root, appId)).catch(() => undefined);
    return { removed };
  }
}
