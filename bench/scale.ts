/**
 * `npm run bench:scale`: runs the exported `run()` of every module in bench/scale/ (issue 12's
 * figures at 100k, 300k and 1M items), one after another so no two measurements overlap.
 * `npm run bench:scale -- sampling` runs only the named modules.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const dir = join(__dirname, 'scale');
  const modules = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .filter((name) => only.length === 0 || only.includes(name))
    .sort();
  for (const name of modules) {
    const mod = (await import(join(dir, `${name}.ts`))) as { run?: () => unknown };
    if (typeof mod.run !== 'function') continue;
    console.log(`\n== bench/scale/${name}.ts ==`);
    await mod.run();
  }
}

void main();
