/**
 * Entry point: build the services, register them, hand everything to context.subscriptions.
 * All heavy work runs in the engine worker (dist/worker.js); nothing here blocks.
 */
import * as vscode from 'vscode';
import { registerCommands } from './host/commands';
import { Controller } from './host/controller';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Active Label', { log: true });
  const controller = new Controller(context, output);
  context.subscriptions.push(output, controller, ...registerCommands(context, controller));
}

export function deactivate(): void {
  // The controller is disposed through context.subscriptions; its session stops the worker.
}
