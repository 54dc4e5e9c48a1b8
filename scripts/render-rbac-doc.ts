/**
 * Rewrites the permission matrix in docs/rbac.md from src/api/permissions.ts (between the
 * `<!-- permission-matrix:start -->` / `<!-- permission-matrix:end -->` markers). src/api/rbac-matrix.test.ts
 * fails when they differ.   npx tsx scripts/render-rbac-doc.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderPermissionMatrix } from '../src/api/permissions.js';

const file = new URL('../docs/rbac.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const start = '<!-- permission-matrix:start -->\n';
const end = '\n<!-- permission-matrix:end -->';
const from = doc.indexOf(start);
const to = doc.indexOf(end);
if (from < 0 || to < from) throw new Error('docs/rbac.md lacks the permission-matrix markers');
writeFileSync(file, doc.slice(0, from + start.length) + renderPermissionMatrix() + doc.slice(to));
