/**
 * Keypress → next item painted, measured in the page itself. The clock starts at the key event's
 * timestamp; the DOM is updated synchronously in the handler; requestAnimationFrame runs just before
 * the frame that shows it is painted, and a MessageChannel message queued from there runs right after
 * that paint. The samples (ms) are exposed as `window.__activeLabelLatency` for the benchmark.
 */

declare global {
  interface Window {
    __activeLabelLatency?: number[];
  }
}

/** Samples kept; older ones are dropped so a long session does not grow memory. */
const MAX_SAMPLES = 5000;

export class LatencyProbe {
  readonly samples: number[] = [];
  private readonly channel = new MessageChannel();
  private readonly waiting: number[] = [];

  constructor() {
    window.__activeLabelLatency = this.samples;
    this.channel.port1.onmessage = () => {
      const start = this.waiting.shift();
      if (start === undefined) return;
      this.samples.push(performance.now() - start);
      if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
    };
  }

  /** Call right after the DOM for the next item is in place. */
  measure(startedAt: number): void {
    requestAnimationFrame(() => {
      this.waiting.push(startedAt);
      this.channel.port2.postMessage(0);
    });
  }
}
