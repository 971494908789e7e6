/**
 * What the engine's reports mean to the user: the ready summary and the reload report in the log
 * (with a warning when rows were skipped), the fallback model's choices, and error notifications
 * with their actions. A chosen action goes back to the session, which owns what it changes.
 */
import * as path from 'node:path';
import { plainText } from '../shared/plainText';
import { ERROR_ACTIONS, type ErrorActionId, type Message } from '../shared/protocol';
import type { WorkerToHost } from '../shared/protocol/engine';
import type { SessionUi } from './sessionPorts';
import { reloadReport } from './reloadReport';

export class EngineReports {
  constructor(
    private readonly ui: SessionUi,
    private readonly datasetFile: string,
    private readonly runErrorAction: (id: ErrorActionId) => Promise<void>,
  ) {}

  ready(m: Message<WorkerToHost, 'engineReady'>): void {
    const ui = this.ui;
    ui.log('info', `Ready: ${m.summary.loaded} items loaded, ${m.summary.skipped} rows skipped, embedder ${m.embedder}, ${m.counts.labeled} labeled.`);
    for (const p of m.problems) ui.log('warn', p.message);
    for (const p of m.logProblems) ui.log('warn', `label log: ${p}`);
    if (m.fallback !== undefined) void this.offerModelChoices(m.fallback);
    if (m.summary.skipped === 0) return;
    const name = plainText(path.basename(this.datasetFile));
    void ui
      .showWarning(`Active Label skipped ${m.summary.skipped} of ${m.summary.rows} rows of ${name}.`, ['Show details'])
      .then((choice) => choice && ui.showLog());
  }

  reload(m: Message<WorkerToHost, 'datasetReloaded'>): void {
    const report = reloadReport(m, path.basename(this.datasetFile));
    report.log.forEach((line, i) => this.ui.log(i === 0 && m.failed === undefined ? 'info' : 'warn', line));
    if (report.warning === undefined) return;
    void this.ui.showWarning(plainText(report.warning), ['Show details']).then((choice) => choice && this.ui.showLog());
  }

  /** The configured model could not be loaded and a fallback stands in: say so, offer the choices. */
  private async offerModelChoices(fallback: { requested: string; reason: string }): Promise<void> {
    const actions: ErrorActionId[] = ['chooseLocalModel', 'useLite', 'useLexical', 'retry'];
    const choice = await this.ui.showWarning(`Active Label: ${fallback.reason.replace(/\.+$/, '')}.`, actions.map((a) => ERROR_ACTIONS[a]));
    const id = actions.find((a) => ERROR_ACTIONS[a] === choice);
    if (id) await this.runErrorAction(id);
  }

  async error(m: Message<WorkerToHost, 'error'>): Promise<void> {
    if (m.kind === 'cancelled') return;
    this.ui.log('error', `${m.kind}: ${m.message}`);
    const titles = m.actions.map((id) => ERROR_ACTIONS[id]);
    const choice = await this.ui.showError(`Active Label: ${plainText(m.message)}`, titles);
    const id = m.actions.find((a) => ERROR_ACTIONS[a] === choice);
    if (id) await this.runErrorAction(id);
  }
}
