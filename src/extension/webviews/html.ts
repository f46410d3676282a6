// The page shell shared by every webview: a strict Content-Security-Policy with a fresh nonce,
// one script and one stylesheet from the extension's media/ folder, nothing remote. Note text
// never goes into this HTML: the scripts receive it in messages and render it with textContent.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

export function csp(webview: vscode.Webview, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join('; ');
}

export function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, title: string, strings: Record<string, string>): string {
  const nonce = crypto.randomBytes(18).toString('base64');
  const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', f)).toString();
  // Localised strings travel as JSON in a data attribute, escaped for HTML.
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp(webview, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(media('style.css'))}">
<title>${escapeHtml(title)}</title>
</head>
<body data-strings="${escapeHtml(JSON.stringify(strings))}">
<script nonce="${nonce}" src="${escapeHtml(media(script))}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// Messages from a webview are untrusted input: each is checked for its type and fields.
type Check = (m: Record<string, unknown>) => boolean;

export function isMessage<T extends { type: string }>(m: unknown, type: T['type'], check: Check = () => true): m is T {
  return typeof m === 'object' && m !== null && !Array.isArray(m) && (m as { type?: unknown }).type === type && check(m as Record<string, unknown>);
}

export const isShortString = (v: unknown, max = 10_000): v is string => typeof v === 'string' && v.length <= max;
export const isIndex = (v: unknown, below: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < below;
export const isOneOf = <T extends string>(v: unknown, values: readonly T[]): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);

/** What a webview reports after it rendered note text (tests check no markup became elements). */
export interface RenderReport {
  /** Elements the page would only have if note text had been parsed as HTML. */
  injected: number;
  /** The rendered text of the results (first 20,000 characters). */
  text: string;
  /** What the page measured in its own DOM (marks, computed colours), as JSON; tests read it. */
  detail?: string;
}

export function isRenderReport(m: unknown): m is { type: 'rendered' } & RenderReport {
  return isMessage(m, 'rendered', (x) => Number.isInteger(x.injected) && isShortString(x.text, 20_000) && (x.detail === undefined || isShortString(x.detail, 50_000)));
}
