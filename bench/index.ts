import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Runs every performance benchmark, each in its own process so one's JIT state and heap do not
 * colour another's figures (peak RSS above all). Each script writes its block of docs/benchmarks.md.
 */
const scripts = ['kmeans', 'sampling', 'memory', 'embed', 'hostStall'];
let failed = 0;
for (const name of scripts) {
  console.log(`\n== bench:${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(__dirname, `${name}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
