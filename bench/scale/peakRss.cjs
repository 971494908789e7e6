// Preloaded (node -r) into a measured child: prints its peak RSS (VmHWM) and CPU time on exit.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readFileSync } = require('node:fs');
process.on('exit', () => {
  let kib = 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) kib = Number(m[1]);
  } catch {
    kib = process.resourceUsage().maxRSS;
  }
  const u = process.resourceUsage();
  process.stderr.write(`\n@@peak ${JSON.stringify({ peakKiB: kib, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 })}\n`);
});
