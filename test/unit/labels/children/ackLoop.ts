/**
 * Appends forever and prints each acknowledged eventId on its own stdout line, only after append
 * resolved (i.e. after fsync). The parent SIGKILLs it at a random moment. Some events are large so
 * that the kill often lands in the middle of a write.
 */
import { LabelLog } from '../../../../src/core/labels';
import { createRng } from '../../../../src/core/random';

const [file, round, seedText] = process.argv.slice(2);
const rng = createRng(Number(seedText));

async function main(): Promise<void> {
  const log = await LabelLog.open(file as string);
  process.send?.('ready');
  for (let seq = 0; ; seq++) {
    const big = rng.next() < 0.1;
    const [event] = await log.append({
      type: 'label',
      itemId: `r${round}-${seq % 50}`,
      labels: [`L${seq % 4}`],
      annotator: `round-${round}`,
      source: 'queue',
      strategy: 'x'.repeat(big ? 200_000 + rng.int(800_000) : 1 + rng.int(500)),
    });
    // stdout to a pipe is synchronous on POSIX, so the line is out before the next append starts.
    process.stdout.write(`${event?.eventId}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
