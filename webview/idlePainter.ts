/**
 * Everything but the card is painted in idle time: the keypress frame paints the next item and
 * nothing else (issue: one frame per keypress, on a busy machine too). Regions asked for before the
 * browser is idle are painted once, together; a hidden page (no frames, no idle callbacks while it
 * is being destroyed) paints at the next task so its state is still saved.
 */
export type Region = 'history' | 'counts' | 'stats' | 'banners' | 'persist';

/** Idle callbacks may be starved on a busy machine; a region never waits longer than this. */
const MAX_WAIT_MS = 250;

type IdleApi = {
  requestIdleCallback?: (cb: () => void, options?: { timeout: number }) => number;
};

export class IdlePainter {
  private readonly pending = new Set<Region>();
  private scheduled = false;

  constructor(private readonly paint: (region: Region) => void) {}

  request(...regions: Region[]): void {
    for (const r of regions) this.pending.add(r);
    if (this.scheduled) return;
    this.scheduled = true;
    const idle = (window as unknown as IdleApi).requestIdleCallback;
    if (document.visibilityState === 'hidden') setTimeout(() => this.flush(), 0);
    // After the next frame, so a keypress's card is painted first, then when the browser is idle.
    else if (idle) requestAnimationFrame(() => idle(() => this.flush(), { timeout: MAX_WAIT_MS }));
    else requestAnimationFrame(() => setTimeout(() => this.flush(), 0));
  }

  /** Paints what is pending now (the page is about to be hidden). */
  flush(): void {
    this.scheduled = false;
    const regions = [...this.pending];
    this.pending.clear();
    // 'persist' last: it saves the state the other regions show.
    regions.sort((a, b) => Number(a === 'persist') - Number(b === 'persist'));
    for (const region of regions) this.paint(region);
  }
}
