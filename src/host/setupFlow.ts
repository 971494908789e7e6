/**
 * The setup questions (text field, labels, mode, optional seed terms), asked with quick picks and
 * input boxes and remembered per dataset in workspaceState (with the dataset's sampling strategy,
 * chosen by Choose Sampling Strategy), so the second run of Start Labeling on
 * the same file asks nothing unless the user runs Configure Labels.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabelMode } from '../core/types';
import { labelCensus, previewDataset, type LabelCensus } from '../core/dataset';
import { findSidecarVectors } from '../core/embedding/precomputedVectors';
import { plainText } from '../shared/plainText';
import type { ExistingLabels } from '../shared/protocol';
import { mapValues, pickExistingUse } from './existingLabelsFlow';
import { pick } from './quickPick';
import { defaultSessionConfig } from '../core/session/config';
import { MAX_KEYED_LABELS } from '../shared/protocol';
import type { SetupAnswers, SetupMemory } from './setupAnswers';
import { formatSeedTerms, parseSeedTerms, validateSeedTerms } from './seedTerms';

export type { SetupAnswers };
export { SetupMemory } from './setupAnswers';

const PREVIEW_ROWS = 5;

/** Splits "a, b,c" into unique, trimmed, non-empty labels, keeping their order. */
export function parseLabelList(input: string): string[] {
  const out: string[] = [];
  for (const part of input.split(',')) {
    const label = part.trim();
    if (label && !out.includes(label)) out.push(label);
  }
  return out;
}

function shorten(text: string, max = 70): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

function fieldValue(row: unknown, field: string): string {
  if (typeof row === 'string') return row;
  if (typeof row === 'object' && row !== null) {
    const v = (row as Record<string, unknown>)[field];
    if (typeof v === 'string') return v;
    if (v !== undefined && v !== null) return JSON.stringify(v);
  }
  return '';
}

/**
 * Asks the setup questions, pre-filled with the remembered answers. Returns undefined when the
 * user cancels any step (nothing is remembered then).
 */
export async function runSetupFlow(memory: SetupMemory, file: string): Promise<SetupAnswers | undefined> {
  const previous = await memory.get(file);
  const name = path.basename(file);
  // Streaming preview of the first rows only; a 1 GB file costs the same as a small one.
  const preview = await previewDataset(file, PREVIEW_ROWS);
  // Vectors the user already has, next to the dataset: said here, used instead of the model.
  const sidecar = await findSidecarVectors(file).catch(() => undefined);
  if (sidecar) void vscode.window.showInformationMessage(`Active Label: ${plainText(path.basename(sidecar))} is next to the dataset; its vectors are used instead of the embedding model (one row per data row).`);
  const rows: readonly unknown[] = preview.rows;

  // 1. Text field
  let textField = preview.detectedTextField;
  const fields = preview.fields.length > 0 ? preview.fields : [textField];
  if (preview.format !== 'txt' && fields.length > 1) {
    const remembered = previous && fields.includes(previous.textField) ? previous.textField : textField;
    const items = fields.map((field) => ({
      label: field,
      description: field === preview.detectedTextField ? 'detected text field' : undefined,
      detail: rows
        .slice(0, 3)
        .map((row) => shorten(fieldValue(row, field), 40))
        .filter((v) => v !== '')
        .join('  ·  '),
    }));
    // The remembered (or detected) field goes first, so Enter accepts it.
    items.sort((a, b) => Number(b.label === remembered) - Number(a.label === remembered));
    const chosen = await pick(items, {
      title: `Active Label: text field of ${name} (1/6)`,
      placeholder: 'Which field holds the text to label? The first items are previewed below each field.',
      active: items[0],
    });
    if (!chosen) return undefined;
    textField = chosen.label;
  }

  // 2. Labels the file already carries: the user decides what they are.
  const labelField = preview.detectedLabelField;
  let use: 'import' | 'review' | 'ignore' = 'ignore';
  let census: LabelCensus | undefined;
  if (labelField) {
    census = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Active Label: counting the labels in "${labelField}"` },
      () => labelCensus(file, labelField),
    );
    if (census.labeled > 0) {
      const chosen = await pickExistingUse(census, name, previous?.existingLabels?.use ?? (previous ? 'ignore' : undefined));
      if (!chosen) return undefined;
      use = chosen;
    }
  }
  const rawValues = use !== 'ignore' && census ? census.values.map((v) => v.value) : [];

  // 3. The label set
  const input = await vscode.window.showInputBox({
    title: `Active Label: labels for ${name} (3/6)`,
    prompt: `Labels, comma-separated, in key order (key 1 = first). First item: "${shorten(fieldValue(rows[0], textField), 60)}"`,
    placeHolder: 'e.g. disaster, not disaster',
    value: previous ? previous.labels.join(', ') : rawValues.join(', '),
    ignoreFocusOut: true,
    validateInput: (value) => {
      const list = parseLabelList(value);
      if (list.length === 0) return 'Type at least one label.';
      if (list.length > MAX_KEYED_LABELS) return `At most ${MAX_KEYED_LABELS} labels (keys 1-9, 0, then Shift+1-9, Shift+0).`;
      return undefined;
    },
  });
  if (input === undefined) return undefined;
  const labels = parseLabelList(input);

  // 3. Mode
  const modes: (vscode.QuickPickItem & { mode: LabelMode })[] = [
    { mode: 'single', label: 'Single label', description: 'one label per item', detail: 'Press 1-9 / 0 to pick the label (Shift+1-9 / 0 for labels 11-20).' },
    { mode: 'multi', label: 'Multi-label', description: 'any number of labels per item', detail: 'Toggle labels with 1-9 / 0 (Shift+1-9 / 0 for 11-20), confirm with Enter.' },
    { mode: 'binary', label: 'Binary', description: 'accept or reject one label at a time', detail: 'Prodigy-style: a accepts, x rejects.' },
  ];
  if (labels.length === 1) modes.unshift(modes.splice(2, 1)[0]);
  const rememberedMode = modes.find((m) => m.mode === previous?.mode);
  if (rememberedMode) modes.unshift(modes.splice(modes.indexOf(rememberedMode), 1)[0]);
  const mode = await pick(modes, { title: `Active Label: labeling mode (4/6)`, placeholder: 'How should items be labeled?', active: modes[0] });
  if (!mode) return undefined;

  if (mode.mode === 'single' && labels.length < 2) {
    void vscode.window.showWarningMessage('Single-label mode needs at least two labels; using binary mode for one label.');
  }
  let finalLabels = labels;
  let finalMode = mode.mode === 'single' && labels.length < 2 ? 'binary' : mode.mode;
  if (finalMode === 'binary' && labels.length > 1) {
    const which = await pick(
      labels.map((l) => ({ label: l })),
      { title: 'Active Label: binary mode asks about one label', placeholder: 'Which label should each item be accepted or rejected for?' },
    );
    if (!which) return undefined;
    finalLabels = [which.label];
  }
  if (finalMode !== 'binary' && finalLabels.length === 0) finalMode = 'binary';

  // 5. Which label each value in the file stands for (only when the values are not the labels)
  let existingLabels: ExistingLabels | undefined;
  if (use !== 'ignore' && labelField && census) {
    const targets = finalMode === 'binary' ? [finalLabels[0] as string, `not ${finalLabels[0]}`] : finalLabels;
    const map = await mapValues(census, targets, previous?.existingLabels?.map ?? {}, name);
    if (!map) return undefined;
    existingLabels = { field: labelField, use, map };
  }

  // 6. Seed terms (optional)
  const seedInput = await vscode.window.showInputBox({
    title: `Active Label: seed terms for ${name} (6/6, optional)`,
    prompt:
      'Seed terms (optional): comma-separated keywords or /regex/ that find examples of rare labels; ' +
      `matching items come first until every label has ${defaultSessionConfig.minPerLabel} examples. Leave empty to skip.`,
    placeHolder: 'e.g. flood, /quake|tsunami/i',
    value: formatSeedTerms(previous?.seedPatterns ?? []),
    ignoreFocusOut: true,
    validateInput: validateSeedTerms,
  });
  if (seedInput === undefined) return undefined;

  const answers: SetupAnswers = {
    textField,
    ...(existingLabels ? { existingLabels } : {}),
    labels: finalLabels,
    mode: finalMode,
    seedPatterns: parseSeedTerms(seedInput),
    seed: previous?.seed ?? 1 + Math.floor(Math.random() * 2 ** 31),
    // Chosen with Choose Sampling Strategy, not asked here: kept as it was.
    ...(previous?.strategy !== undefined ? { strategy: previous.strategy } : {}),
  };
  await memory.set(file, answers);
  return answers;
}
