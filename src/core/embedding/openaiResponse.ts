/**
 * Checks the body of an OpenAI-shaped `POST /embeddings` response, as TEI, vLLM, Ollama,
 * llama.cpp and OpenAI return it: `{ data: [{ index, embedding }], model }`. Rows are put in
 * `index` order (servers may answer out of order); a wrong count, a duplicate or missing index, a
 * wrong width, a non-number or malformed JSON is an error naming what was wrong, never a guess.
 */
import { ActiveLabelError } from '../errors';

/** A server answered, but not usably (or not at all after the retries). */
export class RemoteEmbedderError extends ActiveLabelError {
  constructor(
    message: string,
    /** The HTTP status, when there was a response. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ParsedEmbeddings {
  /** `count` rows of `dimensions` values, row i for input i. */
  readonly data: Float32Array;
  readonly dimensions: number;
  /** The model name the server reported, if any. */
  readonly model?: string;
}

export function parseEmbeddingResponse(body: string, count: number, dimensions: number | undefined, where: string): ParsedEmbeddings {
  const fail = (why: string): never => {
    throw new RemoteEmbedderError(`${where}: ${why}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    fail(`the response is not valid JSON (${(error as Error).message}): ${preview(body)}`);
  }
  if (json === null || typeof json !== 'object' || !Array.isArray((json as { data?: unknown }).data)) {
    fail(`the response has no "data" array: ${preview(body)}`);
  }
  const { data: entries, model } = json as { data: unknown[]; model?: unknown };
  if (entries.length !== count) fail(`the server returned ${entries.length} embeddings for ${count} inputs`);

  const withIndex = entries.filter((e) => typeof (e as { index?: unknown } | null)?.index === 'number').length;
  if (withIndex !== 0 && withIndex !== count) fail(`${count - withIndex} of ${count} embeddings have no "index"`);
  let dims = dimensions;
  let out: Float32Array | undefined = dims !== undefined ? new Float32Array(count * dims) : undefined;
  const seen = new Uint8Array(count);
  entries.forEach((entry, position) => {
    if (entry === null || typeof entry !== 'object') fail(`embedding ${position} is not an object`);
    const { index: rawIndex, embedding } = entry as { index?: unknown; embedding?: unknown };
    const index = withIndex === 0 ? position : (rawIndex as number);
    if (!Number.isInteger(index) || index < 0 || index >= count) fail(`embedding ${position} has index ${String(rawIndex)}, outside 0..${count - 1}`);
    if (seen[index]) fail(`index ${index} appears twice`);
    seen[index] = 1;
    const vector = toNumbers(embedding, index, fail);
    if (dims === undefined) {
      dims = vector.length;
      out = new Float32Array(count * dims);
    }
    if (vector.length !== dims) fail(`embedding ${index} has ${vector.length} dimensions, expected ${dims}`);
    if (dims === 0) fail('the embeddings are empty');
    (out as Float32Array).set(vector, index * dims);
  });
  return { data: out ?? new Float32Array(0), dimensions: dims ?? 0, ...(typeof model === 'string' ? { model } : {}) };
}

/** An array of finite numbers, or base64 little-endian float32 (`encoding_format: "base64"`). */
function toNumbers(embedding: unknown, index: number, fail: (why: string) => never): ArrayLike<number> {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) fail(`embedding ${index} is base64 of ${bytes.length} bytes, not float32 values`);
    const values = new Float32Array(bytes.length / 4);
    for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
    checkFinite(values, index, fail);
    return values;
  }
  if (!Array.isArray(embedding)) fail(`embedding ${index} is not an array of numbers`);
  const values = embedding as unknown[];
  for (let j = 0; j < values.length; j++) {
    if (typeof values[j] !== 'number') fail(`embedding ${index} has a ${values[j] === null ? 'null' : typeof values[j]} at position ${j}`);
  }
  checkFinite(values as number[], index, fail);
  return values as number[];
}

function checkFinite(values: ArrayLike<number>, index: number, fail: (why: string) => never): void {
  for (let j = 0; j < values.length; j++) if (!Number.isFinite(values[j])) fail(`embedding ${index} holds ${values[j]} at position ${j}`);
}

/** The start of a body, for messages: enough to recognise an HTML error page or a proxy's text. */
export function preview(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat || '(empty body)';
}

/** The server's own error message from an OpenAI (`{error: {message}}`) or TEI (`{error}`) body. */
export function serverMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = json.error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
  } catch {
    // not JSON: fall through to the raw preview
  }
  return preview(body);
}
