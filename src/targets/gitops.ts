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
}

export class GitOpsTarget implements Target {
  readonly id = 'baton/gitops';
  private readonly branch: string;
  private readonly subPath: string;
  private readonly author: { name: string; email: string };
  /** Applies and reads of one work tree are serialised: git has one index. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: GitOpsOptions) {
    this.branch = options.branch ?? 'main';
    this.subPath = safeSubPath(options.path);
    this.author = options.author ?? { name: 'Baton', email: 'baton@localhost' };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async git(args: string[], allowFailure = false): Promise<{ stdout: string; ok: boolean }> {
    try {
      const { stdout } = await run(
        'git',
        ['-c', `user.name=${this.author.name}`, '-c', `user.email=${this.author.email}`, '-c', 'commit.gpgsign=false', ...args],
        { cwd: this.options.workdir, env: childProcessEnv({ GIT_TERMINAL_PROMPT: '0' }), maxBuffer: 64 * 1024 * 1024 },
      );
      return { stdout, ok: true };
    } catch (error) {
      if (allowFailure) return { stdout: '', ok: false };
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new DriverFailed(`git ${args[0] ?? ''} failed: ${stderr.trim() || (error as Error).message}`, { target: this.id }, {
        cause: error,
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
      if (this.options.url) await this.git(['remote', 'add', 'origin', this.options.url]);
    }
    if (!this.options.url) return;
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

  apply(request: ApplyRequest): Promise<ApplyResult> {
    return this.serial(async () => {
      const objects = desiredObjects(request);
      await this.prepare();
      const dir = this.envDir(request.appId, request.envId);
      const result: ApplyResult = await syncObjectFiles(dir.absolute, objects);
      await this.git(['add', '--all', '--', dir.relative]);
      const { stdout } = await this.git(['status', '--porcelain', '--', dir.relative]);
      if (stdout.trim() === '') {
        const revision = await this.head();
        return revision ? { ...result, revision } : result;
      }
      const subject = `Deploy ${request.deploymentId} to ${request.appId}/${request.envId}`;
      const message = request.comment ? `${subject}\n\n${request.comment}\n` : `${subject}\n`;
      await this.git([
        'commit',
        '--quiet',
        '--author',
        `${this.author.name} <${this.author.email}>`,
        '-m',
        message,
        '--',
        dir.relative,
      ]);
      if (this.options.url) await this.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${this.branch}`]);
      return { ...result, revision: (await this.head()) ?? '' };
    });
  }

  lastApplied(appId: string, envId: string): Promise<K8sObject[]> {
    return this.serial(async () => {
      await this.prepare();
      return readObjects(this.envDir(appId, envId).absolute);
    });
  }

  /** The environment is deleted: its folder goes in one commit (pushed with a remote). Nothing to remove, no commit. */
  removeEnvironment(appId: string, envId: string): Promise<RemoveEnvironmentResult> {
    return this.serial(async () => {
      await this.prepare();
      const dir = this.envDir(appId, envId);
      const removed = (await readObjects(dir.absolute)).map((o) => objectKey(o)).sort();
      await rm(dir.absolute, { recursive: true, force: true });
      await rmdir(dirname(dir.absolute)).catch(() => undefined); // the app's folder, when this was its last env
      await this.git(['rm', '-r', '--quiet', '--cached', '--ignore-unmatch', '--', dir.relative]);
      const { stdout } = await this.git(['status', '--porcelain', '--', dir.relative]);
      if (stdout.trim() === '') {
        const revision = await this.head();
        return revision ? { removed, revision } : { removed };
      }
      await this.git(['commit', '--quiet', '--author', `${this.author.name} <${this.author.email}>`, '-m', `Delete environment ${appId}/${envId}\n`, '--', dir.relative]);
      if (this.options.url) await this.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${this.branch}`]);
      return { removed, revision: (await this.head()) ?? '' };
    });
  }
}

/** The target a fresh installation uses: a local repository under the data folder, no remote. */
export function embeddedGitOpsTarget(dataDir: string): GitOpsTarget {
  return new GitOpsTarget({ workdir: join(dataDir, 'gitops') });
}
