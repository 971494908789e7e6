/**
 * Entry point: build the services, register them, hand everything to context.subscriptions.
 * All heavy work runs in the engine worker (dist/worker.js); nothing here blocks.
 */
import * as vscode from 'vscode';
import { registerCommands } from './host/commands';
import { watchSessionDatasets } from './host/datasetWatcher';
import { SessionManager } from './host/sessionManager';
import { registerReview } from './host/review';
import type { Settings } from './shared/settings';

/** What other extensions (and the integration suite) may call. */
export interface ActiveLabelApi {
  /** The `activeLabel.*` settings as the extension reads them (coerced and clamped). */
  readSettings(): Settings;
}

export function activate(context: vscode.ExtensionContext): ActiveLabelApi {
  const output = vscode.window.createOutputChannel('Active Label', { log: true });
  const sessions = new SessionManager(context, output);
  context.subscriptions.push(output, sessions, ...registerCommands(context, sessions), ...registerReview(sessions), watchSessionDatasets(sessions));
  return { readSettings: () => sessions.settings() };
}

export function deactivate(): void {
  // The session manager is disposed through context.subscriptions; its session stops the worker.
}
