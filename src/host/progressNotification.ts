/**
 * One notification with a Cancel button for the whole load-and-embed phase of a session.
 */
import * as vscode from 'vscode';
import type { ProgressSnapshot } from '../shared/protocol';
import { progressText } from '../shared/progressText';

export class ProgressNotification implements vscode.Disposable {
  private done: (() => void) | undefined;
  private report: ((p: { message: string; increment?: number }) => void) | undefined;
  private lastFraction = 0;

  constructor(private readonly onCancel: () => void) {}

  show(p: ProgressSnapshot): void {
    const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const message = progressText(p);
    if (!this.done) {
      this.lastFraction = 0;
      // Set synchronously: the engine may be ready before VS Code runs the progress callback.
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      this.done = finish;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Active Label', cancellable: true },
        (progress, token) => {
          if (this.done === finish) this.report = (r) => progress.report(r);
          token.onCancellationRequested(() => {
            this.onCancel();
            this.dispose();
          });
          return finished;
        },
      );
    }
    const increment = Math.max(0, (fraction - this.lastFraction) * 100);
    this.lastFraction = Math.max(this.lastFraction, fraction);
    this.report?.({ message, increment });
  }

  dispose(): void {
    this.done?.();
    this.done = undefined;
    this.report = undefined;
  }
}
