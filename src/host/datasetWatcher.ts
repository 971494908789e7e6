/**
 * Follows the running session's dataset file on disk: saved in the editor, replaced by a git
 * checkout or another tool. Each session gets a file watcher on its one file (inside the workspace
 * or not) and the editor's save event; a burst of changes becomes one `reloadDataset` to the worker
 * (ReloadTrigger), which reads the file again and goes on with its items. Unsaved edits in the
 * editor are not the file: only what is on disk counts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PanelSession } from './panelSession';
import { ReloadTrigger } from './reloadTrigger';
import type { SessionManager } from './sessionManager';

/** Watches each session's dataset while that session runs. */
export function watchSessionDatasets(sessions: SessionManager): vscode.Disposable {
  const watching = new Set<vscode.Disposable>();
  const started = sessions.onSessionStarted((session) => {
    const watcher = watchDataset(session);
    watching.add(watcher);
    session.onDidDispose(() => {
      watching.delete(watcher);
      watcher.dispose();
    });
  });
  return new vscode.Disposable(() => {
    started.dispose();
    for (const w of watching) w.dispose();
    watching.clear();
  });
}

function watchDataset(session: PanelSession): vscode.Disposable {
  const file = path.resolve(session.datasetFile);
  const trigger = new ReloadTrigger(() => session.reloadDataset());
  const isDataset = (uri: vscode.Uri): boolean => uri.scheme === 'file' && path.resolve(uri.fsPath) === file;
  const onChange = (uri: vscode.Uri): void => {
    if (isDataset(uri)) trigger.changed();
  };
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
  // A deleted file is not reloaded (the session keeps its items); its re-creation is.
  return vscode.Disposable.from(
    watcher,
    watcher.onDidChange(onChange),
    watcher.onDidCreate(onChange),
    vscode.workspace.onDidSaveTextDocument((document) => onChange(document.uri)),
    trigger,
  );
}
