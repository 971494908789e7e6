/**
 * The banners of a pool that embeds in the background while labeling runs: `pool: 212,000 of
 * 1,000,000 embedded` with Stop while it embeds (and why, once stopped or failed), and the one-time
 * warning that the rest will take long, with the faster choices.
 */
import { ERROR_ACTIONS, type PoolEmbeddingSnapshot, type SlowEmbeddingMessage } from '../src/shared/protocol';
import { poolStatus, slowEmbeddingText } from '../src/shared/poolText';
import { button, el } from './dom';

export interface PoolBannerCallbacks {
  readonly cancel: () => void;
  readonly useLexical: () => void;
  readonly openSettings: () => void;
  readonly dismissSlow: () => void;
}

export function renderPoolBanners(pool: PoolEmbeddingSnapshot | null, slow: SlowEmbeddingMessage | null, callbacks: PoolBannerCallbacks): HTMLElement[] {
  const nodes: HTMLElement[] = [];
  if (pool !== null && pool.state !== 'done') {
    const text = pool.reason !== undefined ? `${poolStatus(pool)}. ${pool.reason}` : poolStatus(pool);
    const actions = pool.state === 'embedding' ? [button('Stop embedding', callbacks.cancel, { className: 'al-secondary', attrs: { 'data-action': 'stop-embedding' } })] : [];
    nodes.push(
      el('div', { className: `al-banner ${pool.state === 'failed' ? 'al-warning' : 'al-info'}`, attrs: { role: 'status', 'data-testid': 'pool-embedding', 'data-state': pool.state } }, [
        el('span', { className: 'al-banner-text', text }),
        el('progress', { attrs: { max: String(Math.max(1, pool.total)), value: String(pool.embedded) } }),
        el('span', { className: 'al-banner-actions' }, actions),
      ]),
    );
  }
  if (slow !== null) {
    nodes.push(
      el('div', { className: 'al-banner al-warning', attrs: { role: 'status', 'data-testid': 'slow-embedding' } }, [
        el('span', { className: 'al-banner-text', text: slowEmbeddingText(slow) }),
        el('span', { className: 'al-banner-actions' }, [
          button(ERROR_ACTIONS.useLexical, callbacks.useLexical, { attrs: { 'data-action': 'useLexical' } }),
          button(ERROR_ACTIONS.openSettings, callbacks.openSettings, { attrs: { 'data-action': 'openSettings' } }),
          button('Dismiss', callbacks.dismissSlow, { className: 'al-secondary' }),
        ]),
      ]),
    );
  }
  return nodes;
}
