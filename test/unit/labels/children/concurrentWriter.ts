/**
 * A real second process for the two-writers test: waits for "go", then appends `count` events of
 * varied sizes (a few over 64 KB, so one write exceeds PIPE_BUF), some as batches in one write.
 * Each event carries a self-check: `strategy` is `len` copies of one character, `modelVersion`
 * says writer:seq:len, so any interleaving of bytes would show.
 */
import { LabelLog } from '../../../../src/core/labels';
import { createRng } from '../../../../src/core/random';

const [file, writer, countText, seedText] = process.argv.slice(2);
const count = Number(countText);
const rng = createRng(Number(seedText));

async function main(): Promise<void> {
  const log = await LabelLog.open(file as string);
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.('ready');
  });
  const char = writer === 'a' ? 'a' : writer === 'b' ? 'b' : 'c';
  let seq = 0;
  while (seq < count) {
    const batch = Math.min(count - seq, rng.next() < 0.2 ? 1 + rng.int(4) : 1);
    const events = [];
    for (let i = 0; i < batch; i++, seq++) {
      const len = seq % 100 === 7 ? 65_536 + rng.int(200_000) : 1 + rng.int(3000);
      events.push({
        type: 'label' as const,
        itemId: `${writer}-${seq}`,
        labels: [`L${seq % 3}`],
        annotator: writer as string,
        source: 'queue' as const,
        strategy: char.repeat(len),
        score: rng.next(),
        modelVersion: `${writer}:${seq}:${len}`,
      });
    }
    await log.append(events);
  }
  await log.close();
  process.disconnect?.();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
