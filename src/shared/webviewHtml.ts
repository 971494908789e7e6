/**
 * The labeling webview's HTML page. The host calls this with `webview.cspSource`, a fresh nonce and
 * the `asWebviewUri` of dist/webview.js and dist/webview.css; the webview UI tests load the exact
 * same page, so what is tested is what ships.
 */

export interface WebviewHtmlOptions {
  /** `webview.cspSource` (or the test page's origin). */
  readonly cspSource: string;
  /** Random per render, base64/alphanumeric; authorizes the one script and style elements. */
  readonly nonce: string;
  /** URI of dist/webview.js. */
  readonly scriptUri: string;
  /** URI of dist/webview.css. */
  readonly styleUri: string;
  /** The panel's document title. */
  readonly title: string;
}

/** The id of the element the webview script renders into. */
export const WEBVIEW_ROOT_ID = 'active-label-root';

const NONCE_PATTERN = /^[A-Za-z0-9+/=_-]{8,}$/;

/** Escapes text for a double-quoted attribute value or a text node (' stays: CSP keywords need it). */
function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A cryptographically random nonce (Web Crypto exists in Node 20 and in browsers). */
export function makeNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * Renders the page with a strict CSP: nothing loads unless it comes from the extension's own
 * resources or carries the nonce; no inline event handlers, no eval, no remote content.
 */
export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  if (!NONCE_PATTERN.test(options.nonce)) throw new Error('renderWebviewHtml: the nonce must be at least 8 base64/alphanumeric characters');
  const nonce = escapeHtml(options.nonce);
  const source = options.cspSource.replace(/[;"'\r\n]/g, '');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${source} 'nonce-${nonce}'`,
    `img-src ${source} data:`,
    `font-src ${source}`,
    // Hardening: no <base> may redirect relative URLs, and no form may post anywhere.
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(options.styleUri)}">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
<main id="${WEBVIEW_ROOT_ID}" tabindex="0" aria-label="Active Label queue"></main>
<script nonce="${nonce}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>
`;
}
