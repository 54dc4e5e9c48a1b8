/**
 * Podman for tests on this machine: a containers.conf with the two adjustments it needs (runc, explicit ulimits;
 * docs/local-runtime.md) and a busybox image built from Debian's busybox-static (no registry is reachable).
 * `preparePodman()` answers why podman cannot run instead of throwing, so tests can skip with that reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BUSYBOX_IMAGE = 'localhost/baton-test-busybox:1';
const BUSYBOX_BIN = '/bin/busybox';
const APPLETS = ['sh', 'httpd', 'wget', 'cat', 'echo', 'ls', 'sleep', 'nc'];

export const CONTAINERS_CONF_TEXT = `[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
`;

export type PodmanReadiness = { ok: true; containersConf: string } | { ok: false; reason: string };

function podman(args: string[], containersConf: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('podman', args, { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF: containersConf }, timeout: 120_000 });
  return { status: result.error ? -1 : result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? (result.error?.message ?? '') };
}

export function preparePodman(): PodmanReadiness {
  // A folder of this process, not a fixed name in the shared temporary folder: one left by another user (or being
  // rewritten by a concurrent run) would make writing the file fail. Baton's child process reads the file for the
  // whole test file, so it goes when this process exits.
  const dir = mkdtempSync(join(tmpdir(), 'baton-podman-test-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const containersConf = join(dir, 'containers.conf');
  writeFileSync(containersConf, CONTAINERS_CONF_TEXT);
  const version = podman(['version', '--format', '{{.Client.Version}}'], containersConf);
  if (version.status !== 0) return { ok: false, reason: `podman is not usable here: ${version.stderr.trim() || 'not installed'} (.ci/run installs it)` };
  if (podman(['image', 'exists', BUSYBOX_IMAGE], containersConf).status !== 0) {
    if (!existsSync(BUSYBOX_BIN)) return { ok: false, reason: `${BUSYBOX_BIN} is missing (apt-get install busybox-static) to build the test image` };
    // The root file system and its tar both live in the folder above, removed at the end (the tar used to be written
    // next to the mkdtemp folder as a fixed /tmp/baton-busybox.tar, shared between runs and never removed).
    const root = join(dir, 'rootfs');
    const tarFile = join(dir, 'baton-busybox.tar');
    try {
      mkdirSync(join(root, 'bin'), { recursive: true });
      mkdirSync(join(root, 'tmp'));
      copyFileSync(BUSYBOX_BIN, join(root, 'bin', 'busybox'));
      for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
      const tar = spawnSync('tar', ['-C', root, '-cf', tarFile, '.'], { encoding: 'utf8' });
      if (tar.status !== 0) return { ok: false, reason: `could not pack the busybox image: ${tar.stderr}` };
      const imported = podman(['import', tarFile, BUSYBOX_IMAGE], containersConf);
      if (imported.status !== 0) return { ok: false, reason: `podman import failed: ${imported.stderr.trim()}` };
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(tarFile, { force: true });
    }
  }
  // A container that cannot start (cgroups, ulimits) is the usual failure on a new machine: say so now.
  const probe = podman(['run', '--rm', '--pull', 'never', BUSYBOX_IMAGE, '/bin/echo', 'ok'], containersConf);
  if (probe.status !== 0 || probe.stdout.trim() !== 'ok') return { ok: false, reason: `podman cannot run a container here: ${probe.stderr.trim().split('\n').slice(-2).join(' ')}` };
  return { ok: true, containersConf };
}

export function podmanCommand(args: string[], containersConf: string): { status: number | null; stdout: string; stderr: string } {
  return podman(args, containersConf);
}
