/**
 * The setup steps for labels a dataset file already carries: how many rows carry one and which
 * values they hold, what to do with them (import as labels, import as predictions to review, or
 * ignore), and which label each raw value stands for (`0`/`1` -> `not disaster`/`disaster`).
 */
import * as vscode from 'vscode';
import type { LabelCensus } from '../core/dataset';
import { pick } from './quickPick';

type Use = 'import' | 'review' | 'ignore';

/** Raw values offered in the mapping step; rarer ones are left out (and said so). */
const MAX_MAPPED_VALUES = 30;
const LEAVE_OUT = '$(circle-slash) Leave these rows unlabeled';

export function describeCensus(census: LabelCensus): string {
  const values = census.values
    .slice(0, 8)
    .map((v) => `${v.value} (${v.count.toLocaleString('en-US')})`)
    .join(', ');
  const more = census.values.length - 8 + census.moreValues;
  return (
    `${census.labeled.toLocaleString('en-US')} of ${census.rows.toLocaleString('en-US')} rows already carry a label in ` +
    `"${census.field}": ${values}${more > 0 ? `, and ${more} more values` : ''}.`
  );
}

/** What to do with the file's labels; undefined when the user cancels. */
export async function pickExistingUse(census: LabelCensus, name: string, remembered: Use | undefined): Promise<Use | undefined> {
  const items: (vscode.QuickPickItem & { use: Use })[] = [
    { use: 'import', label: '$(check-all) Import them as labels', detail: 'They count as labeled, train the model and can serve as a fixed evaluation set.' },
    { use: 'review', label: '$(checklist) Import them as predictions to review', detail: 'They are suggestions, not labels: the review queue asks you to accept or correct each.' },
    { use: 'ignore', label: '$(circle-slash) Ignore them and type the labels', detail: 'The field is left alone; every item starts unlabeled.' },
  ];
  const active = items.find((i) => i.use === remembered) ?? items[0];
  const chosen = await pick(items, { title: `Active Label: existing labels for ${name} (2/6)`, placeholder: describeCensus(census), active });
  return chosen?.use;
}

/**
 * Which label each raw value stands for. Values that are already label names map to themselves
 * without asking; the others are asked one by one (a remembered mapping is pre-selected).
 * Returns undefined when the user cancels.
 */
export async function mapValues(
  census: LabelCensus,
  labels: readonly string[],
  remembered: Readonly<Record<string, string>>,
  name: string,
): Promise<Record<string, string> | undefined> {
  const map: Record<string, string> = {};
  const values = census.values.slice(0, MAX_MAPPED_VALUES);
  const toAsk = values.filter((v) => !labels.includes(v.value));
  for (const v of values) if (labels.includes(v.value)) map[v.value] = v.value;
  for (const [i, v] of toAsk.entries()) {
    const items = [...labels.map((label) => ({ label, description: label === remembered[v.value] ? 'remembered' : undefined })), { label: LEAVE_OUT }];
    const guess = remembered[v.value] ?? labels[values.indexOf(v)] ?? labels[0];
    const chosen = await pick(items, {
      title: `Active Label: what does "${v.value}" mean in ${name}? (5/6, value ${i + 1} of ${toAsk.length})`,
      placeholder: `${v.count.toLocaleString('en-US')} rows have "${v.value}" in "${census.field}". Which label is it?`,
      active: items.find((item) => item.label === guess),
    });
    if (!chosen) return undefined;
    if (chosen.label !== LEAVE_OUT) map[v.value] = chosen.label;
  }
  return map;
}
