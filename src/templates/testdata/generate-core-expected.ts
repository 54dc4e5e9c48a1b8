/**
 * Regenerates core-expected.json by running every core case through the real Go engine (WASM).
 * Run: node --import tsx src/templates/testdata/generate-core-expected.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as goRender } from '@evertdespiegeleer/go-template';
import { coreCases } from './core-cases.js';

type Outcome = { output: string } | { execError: string } | { parseError: string };

export async function runGo(template: string, data: unknown): Promise<Outcome> {
  try {
    return { output: await goRender(template, data ?? null) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('Template parse error:')) return { parseError: message.replace(/^Template parse error: /, '') };
    return { execError: message };
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const expected: Record<string, Outcome> = {};
  for (const c of coreCases) expected[c.name] = await runGo(c.template, c.data);
  writeFileSync(new URL('./core-expected.json', import.meta.url), JSON.stringify(expected, null, 2) + '\n');
  console.log(`wrote ${Object.keys(expected).length} outcomes`);
}
