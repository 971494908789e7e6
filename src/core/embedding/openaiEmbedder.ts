/**
 * Embeddings from a server speaking OpenAI's `POST /v1/embeddings` API, which TEI, vLLM, Ollama,
 * llama.cpp's server and OpenAI itself all serve. The model setting is
 * `openai:<base url>#<model name>`, e.g. `openai:http://127.0.0.1:8080/v1#bge-small-en-v1.5`.
 *
 * Texts go out in batches of `batchSize`, up to `concurrency` requests in flight. 429 and 5xx are
 * retried (see retry.ts) with `Retry-After` honoured; each request has its own timeout; the
 * caller's AbortSignal cancels everything in flight. An `embed` call returns all of its vectors or
 * throws: nothing partial ever reaches `embedDataset`, so the cache only ever holds whole answers.
 */
import { CancelledError, throwIfCancelled } from '../errors';
import type { Matrix } from '../types';
import { type Embedder, EmbedderLoadError, emptyMatrix, normalizeRows } from './embedder';
import { type ParsedEmbeddings, RemoteEmbedderError, parseEmbeddingResponse, serverMessage } from './openaiResponse';
import { type BackoffOptions, isRetryableStatus, parseRetryAfter, retryDelayMs, sleep } from './retry';

export const OPENAI_PREFIX = 'openai:';

export interface OpenAIModelRef {
  /** Up to and including the API version, without a trailing slash: `http://host:8080/v1`. */
  readonly baseUrl: string;
  /** The `model` sent in each request; servers that serve one model (TEI) ignore it. */
  readonly model?: string;
}

export interface RemoteProgress {
  /** Texts embedded by this embedder so far (all calls). */
  readonly items: number;
  readonly requests: number;
  readonly retries: number;
  /** Texts per second since the first request. */
  readonly itemsPerSecond: number;
}

export interface RetryInfo {
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
  readonly status?: number;
}

export interface OpenAIOptions extends OpenAIModelRef {
  /** Sent as `Authorization: Bearer <key>`; never logged or put in messages. */
  apiKey?: string;
  /** Texts per request. */
  batchSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** A request without a complete response after this long is abandoned and retried. */
  timeoutMs: number;
  /** Retries per request after the first attempt (429, 5xx, timeouts, dropped connections). */
  maxRetries: number;
  /** Retries of the load-time probe: kept low so an unreachable server falls back quickly. */
  loadRetries: number;
  backoff: BackoffOptions;
  onProgress?: (progress: RemoteProgress) => void;
  onRetry?: (retry: RetryInfo) => void;
  /** The jitter source, [0, 1); tests pin it. */
  random?: () => number;
}

export const defaultOpenAIOptions: Readonly<Omit<OpenAIOptions, 'baseUrl'>> = {
  batchSize: 64,
  concurrency: 4,
  timeoutMs: 60_000,
  maxRetries: 5,
  loadRetries: 1,
  backoff: { initialDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 },
};

export function isOpenAIModel(model: string): boolean {
  return model.trim().toLowerCase().startsWith(OPENAI_PREFIX);
}

/** `openai:http://127.0.0.1:8080/v1#name` -> base URL and model; a clear error when malformed. */
export function parseOpenAIModel(model: string): OpenAIModelRef {
  const rest = model.trim().slice(OPENAI_PREFIX.length);
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new RangeError(`"${model}" is not openai:<base url>#<model>, e.g. openai:http://127.0.0.1:8080/v1#bge-small-en-v1.5`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`"${model}": the server URL must be http:// or https://`);
  if (url.username || url.password) throw new RangeError(`"${model}": put credentials in the API key, not in the URL`);
  const name = decodeURIComponent(url.hash.slice(1));
  url.hash = '';
  return { baseUrl: url.toString().replace(/\/+$/, ''), ...(name !== '' ? { model: name } : {}) };
}

export class OpenAIEmbedder implements Embedder {
  readonly kind = 'remote' as const;
  readonly id: string;
  /** Texts per `embed` call that keep every request slot busy: pass it to embedDataset as its batch. */
  readonly callSize: number;
  private readonly endpoint: string;
  private serverModel: string | undefined;
  private stats = { items: 0, requests: 0, retries: 0, started: 0 };

  private dims = 0;

  private constructor(private readonly o: OpenAIOptions) {
    this.id = `${OPENAI_PREFIX}${o.baseUrl}${o.model !== undefined ? `#${o.model}` : ''}`;
    this.endpoint = `${o.baseUrl}/embeddings`;
    this.callSize = o.batchSize * o.concurrency;
  }

  static async load(options: Partial<OpenAIOptions> & OpenAIModelRef): Promise<OpenAIEmbedder> {
    const o: OpenAIOptions = { ...defaultOpenAIOptions, ...options, backoff: { ...defaultOpenAIOptions.backoff, ...options.backoff } };
    for (const key of ['batchSize', 'concurrency', 'timeoutMs'] as const) {
      if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${o[key]}`);
    }
    const embedder = new OpenAIEmbedder(o);
    try {
      // The probe finds the width and proves URL, key and model work before any real batch.
      const probe = await embedder.request(['dimension probe'], undefined, o.loadRetries);
      embedder.dims = probe.dimensions;
      embedder.serverModel = probe.model;
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      throw new EmbedderLoadError(embedder.id, [o.baseUrl], `the embedding server did not answer usably (${(error as Error).message}).`, {
        cause: error,
        advice:
          'Check that the server is running and that the URL ends with the API version, e.g. openai:http://127.0.0.1:8080/v1#model, ' +
          'or choose a built-in embedder: `use-lite` (offline) or `lexical`.',
      });
    }
    embedder.stats = { items: 0, requests: 0, retries: 0, started: 0 };
    return embedder;
  }

  get dimensions(): number {
    return this.dims;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Matrix> {
    throwIfCancelled(signal);
    const dims = this.dims;
    if (texts.length === 0) return emptyMatrix(dims);
    if (this.stats.started === 0) this.stats.started = performance.now();
    const data = new Float32Array(texts.length * dims);
    const starts: number[] = [];
    for (let s = 0; s < texts.length; s += this.o.batchSize) starts.push(s);
    // One failure stops the other requests of this call: the call fails as a whole.
    const stop = new AbortController();
    const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    let next = 0;
    let firstError: unknown;
    const worker = async (): Promise<void> => {
      while (next < starts.length && firstError === undefined) {
        const start = starts[next++];
        const batch = texts.slice(start, start + this.o.batchSize);
        try {
          const result = await this.request(batch, combined, this.o.maxRetries);
          data.set(result.data, start * dims);
          this.stats.items += batch.length;
          this.report();
        } catch (error) {
          firstError ??= error;
          stop.abort();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, starts.length) }, worker));
    if (signal?.aborted) throw new CancelledError();
    if (firstError !== undefined) throw firstError;
    normalizeRows(data, dims);
    return { data, rows: texts.length, cols: dims };
  }

  /** The server's model name joins the cache identity: another model behind the same URL is new. */
  fingerprint(): string {
    return `server-model=${this.serverModel ?? ''}`;
  }

  async dispose(): Promise<void> {}

  private report(): void {
    const seconds = (performance.now() - this.stats.started) / 1000;
    this.o.onProgress?.({
      items: this.stats.items,
      requests: this.stats.requests,
      retries: this.stats.retries,
      itemsPerSecond: seconds > 0 ? this.stats.items / seconds : 0,
    });
  }

  /** One batch, retried as the policy allows; resolves to its rows in input order. */
  private async request(texts: readonly string[], signal: AbortSignal | undefined, maxRetries: number): Promise<ParsedEmbeddings> {
    const where = `POST ${this.endpoint}`;
    // Servers reject empty inputs; a space embeds as "nothing" everywhere we tried.
    const input = texts.map((t) => (t.length === 0 ? ' ' : t));
    const body = JSON.stringify({ input, ...(this.o.model !== undefined ? { model: this.o.model } : {}), encoding_format: 'float' });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.o.apiKey) headers.authorization = `Bearer ${this.o.apiKey}`;
    for (let attempt = 0; ; attempt++) {
      throwIfCancelled(signal);
      const timeout = AbortSignal.timeout(this.o.timeoutMs);
      const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let status: number | undefined;
      let text = '';
      let retryAfter: number | undefined;
      let problem: string;
      this.stats.requests++;
      try {
        const response = await fetch(this.endpoint, { method: 'POST', headers, body, signal: requestSignal });
        status = response.status;
        text = await response.text();
        if (response.ok) return parseEmbeddingResponse(text, texts.length, this.dims || undefined, where);
        if (!isRetryableStatus(status)) throw new RemoteEmbedderError(`${where}: ${explainStatus(status, text)}`, status);
        retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
        problem = `HTTP ${status} (${serverMessage(text)})`;
      } catch (error) {
        if (error instanceof RemoteEmbedderError) throw error;
        if (signal?.aborted) throw new CancelledError();
        problem = timeout.aborted ? `no complete response within ${this.o.timeoutMs} ms` : `the connection failed (${networkCause(error)})`;
      }
      if (attempt >= maxRetries) {
        throw new RemoteEmbedderError(`${where}: ${problem}; gave up after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`, status);
      }
      const delayMs = retryDelayMs(attempt, retryAfter, this.o.backoff, this.o.random);
      this.stats.retries++;
      this.o.onRetry?.({ attempt: attempt + 1, delayMs, reason: problem, ...(status !== undefined ? { status } : {}) });
      await sleep(delayMs, signal);
    }
  }
}

/** A non-retryable status in words, with what to do about it. */
function explainStatus(status: number, body: string): string {
  const said = serverMessage(body);
  if (status === 401 || status === 403) return `HTTP ${status}: the server refused the API key (${said}). Set the key (CLI: ACTIVE_LABEL_API_KEY).`;
  if (status === 404) return `HTTP 404: no embeddings endpoint here, or no such model (${said}). The URL should end with the API version, e.g. /v1.`;
  if (status === 413) return `HTTP 413: the request is too large (${said}). Lower the batch size.`;
  return `HTTP ${status} (${said})`;
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
