/** Rewrites the table of unserved Humanitec operations in docs/compatibility.md from src/api/compatibility.ts (src/api/compatibility.test.ts fails when they differ).   npx tsx scripts/render-compat-doc.ts */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderUnservedTable } from '../src/api/compatibility.js';
const file = new URL('../docs/compatibility.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
writeFileSync(file, doc.replace(/<!-- unserved-operations:start -->\n[\s\S]*?<!-- unserved-operations:end -->/, `<!-- unserved-operations:start -->\n${renderUnservedTable()}\n<!-- unserved-operations:end -->`));
