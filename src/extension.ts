/**
 * Entry point: build the services, register them, hand everything to context.subscriptions.
 * All heavy work runs in the engine worker (dist/worker.js); nothing here blocks.
 */
import * as vscode from 'vscode';
import { registerCommands } from './host/commands';
import { SessionManager } from './host/sessionManager';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Active Label', { log: true });
  const sessions = new SessionManager(context, output);
  context.subscriptions.push(output, sessions, ...registerCommands(context, sessions));
}

export function deactivate(): void {
  // The session manager is disposed through context.subscriptions; its session stops the worker.
}
