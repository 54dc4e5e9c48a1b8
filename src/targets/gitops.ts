/**
 * `baton/gitops` (and Humanitec's `humanitec/k8s-cluster-git`): the directory layout in a git work tree,
 * one commit per deployment that changed something, pushed when the repository has a remote.
 * Runs the real `git` binary with argument arrays (never a shell string).
 */
import { childProcessEnv } from '../shared/child-env.js';
import { execFile } from 'node:child_process';
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DriverFailed } from '../shared/errors.js';
import { readObjects, syncObjectFiles } from './file-tree.js';
import { desiredObjects, objectKey } from './objects.js';
import { assertId, safeSubPath } from './paths.js';
import { REFUSE_SECRETS } from './secrets.js';
import type { SecretsPolicy } from './secrets.js';
import type { ApplyRequest, ApplyResult, K8sObject, RemoveEnvironmentResult, Target } from './types.js';

const run = promisify(execFile);

export interface GitOpsOptions {
  /** Local work tree Baton owns (created when missing). */
  workdir: string;
  /** Remote to clone from and push to: a URL, a `file://` URL or a local bare repository path. */
  url?: string;
  branch?: string;
  /** Folder inside the repository that holds `<app>/<env>/`. */
  path?: string;
  author?: { name: string; email: string };
  /**
   * Said with every apply (`ApplyResult.warnings`, so in each deployment's log): set for the embedded repository
   * when replicas share a database but the repository has no remote.
   */
  warning?: string;
  /** Attempts of fetch, re-commit and push when the remote moved meanwhile (another replica pushed). Default 30. */
  pushAttempts?: number;
  /** What happens to Kubernetes Secrets (SOPS, ExternalSecrets, plaintext); without one, Secrets are refused. */
  secrets?: SecretsPolicy;
  /**
   * HTTPS credentials of `url`, asked before every apply, read and removal (so a credential rotated in its secret
   * store is used from the next one on). Handed to git only through a credential helper that reads the git
   * process's environment: never in the URL, the work tree's config, a file, a log or an error.
   */
  credentials?: () => Promise<GitCredentials>;
}

export interface GitCredentials {
  username: string;
  password: string;
}

/**
 * A secret holding git HTTPS credentials: `<username>:<password>`, or a token alone (sent as the password of user
 * `git`, which GitHub, GitLab and Gitea accept for tokens). Refuses line breaks (the credential protocol is lines).
 */
export function parseGitCredentials(secret: string): GitCredentials {
  const text = secret.replace(/\r?\n$/, '');
  if (text === '' || /[\r\n\0]/.test(text)) throw new DriverFailed('the gitops credentials secret must be <username>:<password> or a token on one line', {});
  const colon = text.indexOf(':');
  return colon > 0 ? { username: text.slice(0, colon), password: text.slice(colon + 1) } : { username: 'git', password: text };
}

/**
 * The credential helper git runs (through `sh`) for HTTPS authentication: it answers `get` with the username and
 * password from its environment, and ignores `store`/`erase`. The command line names variables, never values.
 */
const CREDENTIAL_HELPER = `!f() { test "$1" = get || exit 0; printf 'username=%s\\npassword=%s\\n' "$BATON_GIT_USERNAME" "$BATON_GIT_PASSWORD"; }; f`;

/** What `git push` says when the remote branch moved (or another push holds its ref lock): fetch and try again. */
const PUSH_RACE = /non-fast-forward|fetch first|rejected|cannot lock ref|failed to update ref|incorrect old value|stale info/i;

export class GitOpsTarget implements Target {
  readonly id = 'baton/gitops';
  private readonly branch: string;
  private readonly subPath: string;
  private readonly author: { name: string; email: string };
  private readonly secrets: SecretsPolicy;
  /** Applies and reads of one work tree are serialised: git has one index. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The credentials of the running operation (see `serial`), only in memory. */
  private auth: GitCredentials | undefined;

  constructor(private readonly options: GitOpsOptions) {
    this.branch = options.branch ?? 'main';
    this.subPath = safeSubPath(options.path);
    this.author = options.author ?? { name: 'Baton', email: 'baton@localhost' };
    this.secrets = options.secrets ?? REFUSE_SECRETS;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const authenticated = async (): Promise<T> => {
      if (!this.options.credentials) return work();
      try {
        this.auth = await this.options.credentials();
        return await work();
      } finally {
        this.auth = undefined;
      }
    };
    const next = this.queue.then(authenticated, authenticated);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async git(args: string[], allowFailure = false): Promise<{ stdout: string; ok: boolean; stderr: string }> {
    const auth = this.auth;
    // An empty `credential.helper` first drops any helper the user configured (git would otherwise offer it the
    // password to store); then Baton's helper answers from the environment.
    const authArgs = auth ? ['-c', 'credential.helper=', '-c', `credential.helper=${CREDENTIAL_HELPER}`] : [];
    const authEnv: Record<string, string> = auth ? { BATON_GIT_USERNAME: auth.username, BATON_GIT_PASSWORD: auth.password } : {};
    const hide = (text: string): string => (auth && auth.password !== '' ? text.split(auth.password).join('***') : text);
    try {
      const { stdout } = await run(
        'git',
        ['-c', `user.name=${this.author.name}`, '-c', `user.email=${this.author.email}`, '-c', 'commit.gpgsign=false', ...authArgs, ...args],
        { cwd: this.options.workdir, env: childProcessEnv({ GIT_TERMINAL_PROMPT: '0', ...authEnv }), maxBuffer: 64 * 1024 * 1024 },
      );
      return { stdout, ok: true, stderr: '' };
    } catch (error) {
      const stderr = hide((error as { stderr?: string }).stderr ?? '');
      if (allowFailure) return { stdout: hide((error as { stdout?: string }).stdout ?? ''), ok: false, stderr };
      throw new DriverFailed(`git ${args[0] ?? ''} failed: ${stderr.trim() || `exit code ${JSON.stringify((error as { code?: unknown }).code ?? null)}`}`, { target: this.id }, {
        retryable: true,
      });
    }
  }

  /** Create or refresh the work tree; with a remote, the remote branch is the truth. */
  private async prepare(): Promise<void> {
    const exists = await stat(join(this.options.workdir, '.git')).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(this.options.workdir, { recursive: true });
      await this.git(['init', '--quiet', '--initial-branch', this.branch]);
    }
    if (!this.options.url) return;
    // A work tree made before a remote was configured (or for another one) gets this remote.
    const current = await this.git(['remote', 'get-url', 'origin'], true);
    if (!current.ok) await this.git(['remote', 'add', 'origin', this.options.url]);
    else if (current.stdout.trim() !== this.options.url) await this.git(['remote', 'set-url', 'origin', this.options.url]);
    const fetched = await this.git(['fetch', '--quiet', 'origin', this.branch], true);
    if (fetched.ok) {
      await this.git(['checkout', '--quiet', '-B', this.branch, 'FETCH_HEAD']);
      await this.git(['reset', '--quiet', '--hard', 'FETCH_HEAD']);
    }
  }

  private envDir(appId: string, envId: string): { relative: string; absolute: string } {
    const relative = [this.subPath, assertId('app', appId), assertId('env', envId)].filter(Boolean).join('/');
    return { relative, absolute: join(this.options.workdir, relative) };
  }

  private async head(): Promise<string | undefined> {
    const { stdout, ok } = await this.git(['rev-parse', '--verify', '--quiet', 'HEAD'], true);
    return ok ? stdout.trim() : undefined;
  }

  /**
   * One change as one commit: from the remote's branch (fetched), `change` edits the work tree and says what to
   * commit; the commit is pushed. When another replica pushed in between, the push is refused: fetch, redo the change
   * on the new tip, push again, so concurrent deployments all land, each once, none lost.
   */
  private async commitChange<T extends { revision?: string }>(
    change: () => Promise<{ result: T; paths: string[]; message: string }>,
  ): Promise<T> {
    const attempts = this.options.pushAttempts ?? 30;
    for (let attempt = 1; ; attempt++) {
      await this.prepare();
      const { result, paths, message } = await change();
      const { stdout } = await this.git(['status', '--porcelain', '--', ...paths]);
      if (stdout.trim() === '') {
        const revision = await this.head();
        return revision ? { ...result, revision } : result;
      }
      await this.git(['commit', '--quiet', '--author', `${this.author.name} <${this.author.email}>`, '-m', message, '--', ...paths]);
      if (!this.options.url) return { ...result, revision: (await this.head()) ?? '' };
      const pushed = await this.git(['push', '--quiet', '--porcelain', 'origin', `HEAD:refs/heads/${this.branch}`], true);
      if (pushed.ok) return { ...result, revision: (await this.head()) ?? '' };
      if (!PUSH_RACE.test(pushed.stderr + pushed.stdout) || attempt >= attempts) {
        throw new DriverFailed(`git push failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${pushed.stderr.trim()}`, { target: this.id }, { retryable: true });
      }
      // Someone else's commit landed first: back off a little (randomised, so racing replicas spread out) and redo.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * Math.min(attempt, 10)));
    }
  }

  apply(request: ApplyRequest): Promise<ApplyResult> {
    return this.serial(async () => {
      // Secrets are encrypted (or replaced by ExternalSecrets, their values pushed to the store) before any file is written.
      const { objects, warnings } = await this.secrets.prepare(desiredObjects(request), request);
      const dir = this.envDir(request.appId, request.envId);
      const subject = `Deploy ${request.deploymentId} to ${request.appId}/${request.envId}`;
      const applied = await this.commitChange(async () => {
        const result: ApplyResult = await syncObjectFiles(dir.absolute, objects, this.secrets.codec);
        await this.git(['add', '--all', '--', dir.relative]);
        return { result, paths: [dir.relative], message: request.comment ? `${subject}\n\n${request.comment}\n` : `${subject}\n` };
      });
      const said = [...warnings, ...(this.options.warning ? [this.options.warning] : [])];
      return said.length > 0 ? { ...applied, warnings: [...(applied.warnings ?? []), ...said] } : applied;
    });
  }

  lastApplied(appId: string, envId: string): Promise<K8sObject[]> {
    return this.serial(async () => {
      await this.prepare();
      return readObjects(this.envDir(appId, envId).absolute, this.secrets.codec);
    });
  }

  /** The environment is deleted: its folder goes in one commit (pushed with a remote). Nothing to remove, no commit. */
  removeEnvironment(appId: string, envId: string): Promise<RemoveEnvironmentResult> {
    return this.serial(() =>
      this.commitChange(async () => {
        const dir = this.envDir(appId, envId);
        const removed = (await readObjects(dir.absolute)).map((o) => objectKey(o)).sort();
        await rm(dir.absolute, { recursive: true, force: true });
        await rmdir(dirname(dir.absolute)).catch(() => undefined); // the app's folder, when this was its last env
        await this.git(['rm', '-r', '--quiet', '--cached', '--ignore-unmatch', '--', dir.relative]);
        const result: RemoveEnvironmentResult = { removed };
        return { result, paths: [dir.relative], message: `Delete environment ${appId}/${envId}\n` };
      }),
    );
  }
}

/** How Baton's default (embedded) gitops repository is set up: its remote, or none. */
export interface EmbeddedGitOps {
  /** `BATON_GITOPS_URL`: a bare repository path, `file://`, SSH or HTTPS URL. Unset: a repository local to this process. */
  url?: string;
  /** Replicas share a database (PostgreSQL): without a remote, every apply says the repository is local. */
  replicated?: boolean;
  /** HTTPS credentials of `url` (`BATON_GITOPS_CREDENTIALS`, read from the secret store). */
  credentials?: () => Promise<GitCredentials>;
}

/** Said at start-up and in every deployment's log when replicas share a database but the repository has no remote. */
export function localRepositoryWarning(dataDir: string): string {
  return `the gitops repository ${join(dataDir, 'gitops')} is local to this replica: other replicas write their own histories; set BATON_GITOPS_URL to a shared remote (docs/operations.md)`;
}

/**
 * The target a fresh installation uses: a repository under the data folder, pushed to `BATON_GITOPS_URL` when set;
 * Secrets as `secrets` says (SOPS to Baton's age key, by default, see createTarget).
 */
export function embeddedGitOpsTarget(dataDir: string, embedded: EmbeddedGitOps = {}, secrets?: SecretsPolicy): GitOpsTarget {
  const workdir = join(dataDir, 'gitops');
  const policy = secrets ? { secrets } : {};
  const credentials = embedded.credentials ? { credentials: embedded.credentials } : {};
  if (embedded.url) return new GitOpsTarget({ workdir, url: embedded.url, ...credentials, ...policy });
  return new GitOpsTarget(embedded.replicated ? { workdir, warning: localRepositoryWarning(dataDir), ...policy } : { workdir, ...policy });
}
