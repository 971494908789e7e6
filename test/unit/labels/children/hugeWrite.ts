/**
 * Acknowledges three small events on stdout, then appends one 96 MB event: the parent kills it
 * while that write is in flight, which tears the last line the way a crash does.
 */
import { LabelLog } from '../../../../src/core/labels';

async function main(): Promise<void> {
  const log = await LabelLog.open(process.argv[2] as string);
  for (let i = 0; i < 3; i++) {
    const [event] = await log.append({ type: 'label', itemId: `small-${i}`, labels: ['x'], annotator: 'a', source: 'queue' });
    process.stdout.write(`${event?.eventId}\n`);
  }
  const huge = 'h'.repeat(96 * 1024 * 1024);
  process.stdout.write('writing\n');
  await log.append({ type: 'label', itemId: 'huge', labels: [huge], annotator: 'a', source: 'queue' });
  process.stdout.write('done\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
