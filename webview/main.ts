/**
 * Entry point of the labeling webview (esbuild: webview/main.ts → dist/webview.js, a browser IIFE,
 * plus dist/webview.css from the CSS imported below).
 *
 * Contract with the extension host, which builds the page with `renderWebviewHtml` from
 * src/shared/webviewHtml.ts:
 * - the page has `<main id="active-label-root" tabindex="0">` (WEBVIEW_ROOT_ID) to render into;
 * - it loads `dist/webview.css` (link with the nonce) and `dist/webview.js` (script with the nonce)
 *   through `webview.asWebviewUri`, with `localResourceRoots` limited to `dist/`;
 * - the protocol is src/shared/protocol/ (page.ts): this script posts `ready`, the host answers `init`.
 * No `retainContextWhenHidden` is needed: the state survives hiding through `vscode.setState`.
 */
import './styles.css';
import { WEBVIEW_ROOT_ID } from '../src/shared/webviewHtml';
import { App } from './app';

function start(): void {
  let root = document.getElementById(WEBVIEW_ROOT_ID);
  if (!root) {
    // Tolerate a page without the root (e.g. an older host): create it rather than fail blank.
    root = document.createElement('main');
    root.id = WEBVIEW_ROOT_ID;
    root.tabIndex = 0;
    document.body.appendChild(root);
  }
  new App(root);
}

start();
