/**
 * When a change to the dataset file becomes one reload: a save is one write, but a git checkout,
 * a formatter or a sync tool may write the file several times in a row (and a watcher may report
 * one save twice: the file event and the editor's save). Each report restarts the wait; the reload
 * is asked for once the file has been quiet for `quietMs`.
 *
 * Free of the `vscode` module (datasetWatcher.ts feeds it), so it is tested in plain Node.
 */
export const RELOAD_QUIET_MS = 400;

export class ReloadTrigger {
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly reload: () => void,
    private readonly quietMs = RELOAD_QUIET_MS,
  ) {}

  /** The file was reported changed. */
  changed(): void {
    if (this.disposed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload();
    }, this.quietMs);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
