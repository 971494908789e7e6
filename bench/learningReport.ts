/**
 * The learning benchmark's report: the Markdown section of docs/benchmarks.md (one table per
 * dataset and embedder, the scikit-learn reference beside ours, the targets) and the learning-curve
 * plots (vega-lite, rendered to SVG in Node). bench/learning.ts runs the simulations.
 */
import * as os from 'node:os';
import { comparisonTable, savingText, type SimulateResult } from '../src/cli/simulate';
import type { CurveMetric } from '../src/core/evaluation/curve';
import { STRATEGY_NAMES } from '../src/core/sampling';

export const START = '<!-- bench:learning:start -->';
export const END = '<!-- bench:learning:end -->';
/** The targets, for these strategies on use-lite vectors. */
export const STARS = ['clustered-uncertainty', 'active-transfer'];
export const TARGET_SAVING = 0.5;

/** What bench/learning_reference.py prints (the parts read here). */
export interface ReferenceResult {
  readonly fullPool: Record<CurveMetric, number>;
  readonly strategies: readonly ({ readonly strategy: string } & Record<CurveMetric, ReferenceFigures>)[];
}

interface ReferenceFigures {
  readonly alc: number;
  readonly final: number;
  readonly labelsTo95: number | null;
  readonly savingLabels: number | null;
  readonly saving: number | null;
}

export interface Run {
  readonly dataset: string;
  readonly title: string;
  readonly description: string;
  readonly embedder: string;
  readonly command: string;
  readonly result: SimulateResult;
  readonly reference?: ReferenceResult;
  readonly referenceCommand?: string;
}

export const curveFile = (run: Pick<Run, 'dataset' | 'embedder'>): string => `learning-curve-${run.dataset}-${run.embedder}.svg`;

export async function renderSvg(result: SimulateResult, title: string): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const values = result.strategies.flatMap((s) =>
    s.points.flatMap((p) => [
      { strategy: s.strategy, labels: p.labels, metric: 'accuracy', value: p.accuracy },
      { strategy: s.strategy, labels: p.labels, metric: 'macro-F1', value: p.macroF1 },
    ]),
  );
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${title}: mean of seeds ${result.seeds.join(', ')} (${result.embedder})`,
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 360,
      height: 260,
      mark: { type: 'line', point: { size: 12 } },
      encoding: {
        x: { field: 'labels', type: 'quantitative', title: 'training labels' },
        y: { field: 'value', type: 'quantitative', title: 'held-out score', scale: { zero: false } },
        color: { field: 'strategy', type: 'nominal', sort: [...STRATEGY_NAMES], scale: { scheme: 'category20' } },
        strokeDash: {
          condition: { test: `indexof(${JSON.stringify(STARS)}, datum.strategy) < 0`, value: [4, 3] },
          value: [1, 0],
        },
      },
    },
    config: { background: 'white' },
  };
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const metricName = (m: CurveMetric): string => (m === 'macroF1' ? 'macro-F1' : 'accuracy');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function referenceTable(run: Run, reference: ReferenceResult): string[] {
  const m = run.result.primary;
  const saving = (f: ReferenceFigures): string =>
    f.saving === null || f.savingLabels === null ? '> 1 (not reached)' : `${f.saving.toFixed(2)} (${f.savingLabels} labels)`;
  return [
    `| scikit-learn reference | label saving (${metricName(m)}) | labels to 95% of full pool (${metricName(m)}) | ALC (${metricName(m)}) | final ${metricName(m)} |`,
    '|---|---|---|---|---|',
    ...reference.strategies.map((s) => `| ${s.strategy} | ${saving(s[m])} | ${s[m].labelsTo95 ?? 'not reached'} | ${s[m].alc.toFixed(3)} | ${pct(s[m].final)} |`),
  ];
}

function targetRows(runs: readonly Run[]): string[] {
  const lines = [
    `| dataset | embedder | strategy | label saving (metric) | target <= ${TARGET_SAVING} | ALC (metric) | random's ALC | ALC beats random | scikit-learn clustered uncertainty: saving / ALC (random's ALC) |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const run of runs) {
    const r = run.result;
    const m = r.primary;
    const alcOf = (name: string): number | undefined => {
      const s = r.strategies.find((x) => x.strategy === name);
      return s === undefined ? undefined : m === 'macroF1' ? s.alcMacroF1 : s.alc;
    };
    const random = alcOf('random') ?? NaN;
    const ref = run.reference;
    const refCu = ref?.strategies.find((s) => s.strategy === 'clustered-uncertainty')?.[m];
    const refRandom = ref?.strategies.find((s) => s.strategy === 'random')?.[m];
    const refText =
      refCu === undefined || refRandom === undefined
        ? 'n/a'
        : `${refCu.saving === null ? '> 1' : refCu.saving.toFixed(2)} / ${refCu.alc.toFixed(3)} (${refRandom.alc.toFixed(3)})`;
    for (const name of STARS) {
      const s = r.strategies.find((x) => x.strategy === name);
      if (s === undefined) continue;
      const saving = s.saving[m];
      const alc = alcOf(name) ?? NaN;
      const met = saving.ratio !== null && saving.ratio <= TARGET_SAVING;
      lines.push(
        `| ${run.dataset} | ${run.embedder} | ${name} | ${savingText(saving)} (${metricName(m)}) | ${met ? 'met' : 'missed'} | ` +
          `${alc.toFixed(3)} | ${random.toFixed(3)} | ${alc > random ? 'yes' : 'no'} | ${run.embedder === 'use-lite' ? refText : ''} |`,
      );
    }
  }
  return lines;
}

export function section(runs: readonly Run[], seconds: number): string {
  const seeds = runs[0]?.result.seeds ?? [];
  const shown = runs[0]?.result.strategies.map((s) => s.strategy) ?? [];
  const lines: string[] = [
    START,
    '## Learning: labels saved against random sampling',
    '',
    `Command: \`npm run bench:learning\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${os.cpus().length} cores, ${seconds.toFixed(0)} s in all). Every dataset runs \`active-label simulate --strategy all\` ` +
      `over seeds ${seeds.join(', ')} twice: on \`lexical\` vectors (hashed word and character n-grams, 2,048 dims) and on ` +
      '`use-lite` vectors (Universal Sentence Encoder lite, 512 dims, a real pretrained sentence encoder, embedded once into ' +
      '`.cache/learning/*.use-lite.npy` and passed with `--vectors`). Each table is labeled with its embedder; the exact ' +
      'commands are below each table.' +
      (shown.length < STRATEGY_NAMES.length
        ? ` This run was limited to ${shown.join(', ')} (\`--strategies\`) to fit the machine's time (2 shared cores); ` +
          `\`npm run bench:learning\` without it runs all ${STRATEGY_NAMES.length}.`
        : ''),
    '',
    'Reading the tables: the oracle answers batches of 10 (90% strategy, 10% random), the head retrains after each batch, ' +
      'and a random 20% of the items is held out for scoring. **Label saving** is the figure that matters to a user: the ' +
      "labels a strategy needs to reach the score random sampling has at the full budget (300), divided by that budget " +
      '(0.33 = the same model for a third of the labeling; "> 1" = not reached within the budget). It is measured on ' +
      'macro-F1 where one label is so common that a constant predictor already meets the accuracy figures (the headlines: ' +
      '91% one class), else on accuracy. Random\'s own saving can be below 1 when its mean curve reached its final score ' +
      'early. "labels to 95%" is the first label count where the mean curve reaches 95% of the score that training on ' +
      'the whole pool gives, as a ratio to random (`<=` marks a bound when random never got there). ALC is the normalized ' +
      'area under the mean learning curve.',
    '',
    'The scikit-learn reference (`bench/learning_reference.py`, Debian `python3-sklearn`) runs its own loop on the same ' +
      "use-lite vectors and labels: `LogisticRegression(C=10, class_weight='balanced')`, the same budget, batch and held-out " +
      "share, random batches until two classes have labels, then clustered uncertainty as the book's reference code does it " +
      '(top 10% by least confidence or margin, cosine k-means into ceil(10 / 5) = 2 clusters, each cluster\'s centroid, outlier ' +
      'and 3 random members; no random share).',
    '',
  ];
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  for (const dataset of datasets) {
    const group = runs.filter((r) => r.dataset === dataset);
    const first = group[0] as Run;
    lines.push(`### ${first.title}`, '', first.description, '');
    for (const run of group) {
      const r = run.result;
      lines.push(
        `**Embedder: \`${run.embedder}\`** (\`${r.embedder}\`). ${r.items.toLocaleString('en-US')} labeled items, labels ` +
          `${r.labels.join(' / ')}; full pool (${Math.round(r.fullPool.trainedOn).toLocaleString('en-US')} labels): accuracy ` +
          `${pct(r.fullPool.accuracy)}, macro-F1 ${pct(r.fullPool.macroF1)}; the most common label is ${pct(r.majorityShare)} ` +
          `of the items, so the headline metric is ${metricName(r.primary)}.`,
        '',
        `\`${run.command}\``,
        '',
        ...comparisonTable(r),
        '',
        `![Learning curves, ${first.title}, ${run.embedder}](${curveFile(run)})`,
        '',
      );
      if (run.reference !== undefined) {
        lines.push(
          `scikit-learn on the same \`${run.embedder}\` vectors (full pool: accuracy ${pct(run.reference.fullPool.accuracy)}, ` +
            `macro-F1 ${pct(run.reference.fullPool.macroF1)}): \`${run.referenceCommand ?? ''}\``,
          '',
          ...referenceTable(run, run.reference),
          '',
        );
      }
    }
  }
  lines.push('### Against the targets', '');
  lines.push(
    `Targets (issue 10, on use-lite vectors): ${STARS.join(' and ')} reach random's score at the budget with at most ` +
      `${TARGET_SAVING} of the budget, and their ALC beats random's, on every dataset. The lexical rows are shown for ` +
      'comparison; the targets are not set for them.',
    '',
    ...targetRows(runs),
    '',
    END,
  );
  return lines.join('\n');
}
