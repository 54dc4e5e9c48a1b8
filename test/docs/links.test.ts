/**
 * The docs point at things that exist: every relative Markdown link of README.md and docs/**\/*.md resolves to a
 * file or folder of the repository, and every repository path a doc cites in backticks (`src/...`, `test/...`,
 * `scripts/...`, `bench/...`, `docs/...`) names a file or folder that is there (issue #23: two docs cited a file that
 * was not in the repository).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function markdownFiles(): string[] {
  const out = [join(REPO, 'README.md')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(path);
    }
  };
  walk(join(REPO, 'docs'));
  return out;
}

/** Text outside fenced code blocks (a link inside an example is not a link). */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** `[text](target)` and `![alt](target)` links, plus reference definitions `[id]: target`. */
function relativeLinks(text: string): string[] {
  const targets: string[] = [];
  // Inline code is not a link either: `^[a-z](?:x)` is a regular expression.
  const linkable = prose(text).replace(/`[^`\n]+`/g, '');
  for (const m of linkable.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of linkable.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/gm)) targets.push(m[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#') && !t.startsWith('//'));
}

/** Repository paths cited in backticks: `src/api/errors.ts`, `docs/internals/engine.md`, `test/cli/` ... */
function citedPaths(text: string): string[] {
  const out: string[] = [];
  for (const m of prose(text).matchAll(/`((?:src|test|scripts|bench|docs)\/[A-Za-z0-9_./-]+)`/g)) {
    const path = m[1]!;
    // Patterns and placeholders are not paths: `src/<folder>/`, `test/**/*.test.ts`, `docs/*.md`.
    if (/[*<>{}]/.test(path)) continue;
    out.push(path);
  }
  return out;
}

/** Generated folders (build output, quick benchmark results): in .gitignore, so a checkout need not have them. */
function generated(path: string): boolean {
  const patterns = readFileSync(join(REPO, '.gitignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.includes('*'));
  const segments = path.replace(/\/$/, '').split('/');
  return patterns.some((pattern) => {
    const bare = pattern.replace(/^\//, '').replace(/\/$/, '');
    return bare.includes('/') ? path.replace(/\/$/, '') === bare || path.startsWith(`${bare}/`) : segments.includes(bare);
  });
}

describe('documentation links', () => {
  const files = markdownFiles();

  it('finds the docs (the walk is not empty)', () => {
    assert.ok(files.length > 10, String(files.length));
    assert.ok(files.some((f) => f.endsWith(join('docs', 'guide', 'README.md'))));
  });

  it('the link and path extractors see links, skip URLs, anchors and code blocks', () => {
    const sample = '[a](cli.md) [b](https://x.y) [c](#top) ![d](screenshots/s.png) [e](../src/a.ts#L3)\n```\n[f](nope.md)\n```\n`src/x.ts` `src/<folder>/` `docs/*.md` `^[a-z](nope/x)`';
    assert.deepEqual(relativeLinks(sample), ['cli.md', 'screenshots/s.png', '../src/a.ts#L3']);
    assert.deepEqual(citedPaths(sample), ['src/x.ts']);
    assert.ok(generated('src/ui/dist') && generated('bench/results-quick/') && !generated('src/ui/app.ts'));
  });

  it('every relative link of README.md and docs/**/*.md resolves to an existing file', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const link of relativeLinks(readFileSync(file, 'utf8'))) {
        const path = decodeURIComponent(link.split('#')[0]!.split('?')[0]!);
        if (path === '') continue;
        const target = path.startsWith('/') ? join(REPO, path) : resolve(dirname(file), path);
        if (!existsSync(target)) broken.push(`${relative(REPO, file)}: (${link})`);
      }
    }
    assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
  });

  it('every repository path cited in backticks exists', () => {
    const missing: string[] = [];
    for (const file of files) {
      for (const path of citedPaths(readFileSync(file, 'utf8'))) {
        const clean = path.replace(/[.,:;]+$/, '');
        if (!existsSync(join(REPO, clean)) && !generated(clean)) missing.push(`${relative(REPO, file)}: \`${path}\``);
      }
    }
    assert.deepEqual(missing, [], `cited paths that do not exist:\n${missing.join('\n')}`);
  });
});
