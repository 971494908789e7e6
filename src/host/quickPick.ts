/** A quick pick as a promise: the chosen item, or undefined when the user presses Escape. */
import * as vscode from 'vscode';

/** Wraps a quick pick so `Escape` resolves undefined, and a title shows the step. */
export async function pick<T extends vscode.QuickPickItem>(
  items: T[],
  options: { title: string; placeholder: string; active?: T },
): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = options.title;
  qp.placeholder = options.placeholder;
  qp.items = items;
  qp.ignoreFocusOut = true;
  if (options.active) qp.activeItems = [options.active];
  return new Promise<T | undefined>((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0] ?? qp.activeItems[0]);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

