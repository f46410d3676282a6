// The page shell shared by every webview: a strict Content-Security-Policy with a fresh nonce,
// scripts and styles only from the extension's media/ folder, nothing remote. Note text never
// goes into this HTML; the scripts render it with textContent.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

export function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, title: string, strings: Record<string, string>): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', f)).toString();
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join('; ');
  // Localised UI strings travel as JSON in a data attribute, escaped for HTML.
  const data = escapeHtml(JSON.stringify(strings));
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('style.css')}">
<title>${escapeHtml(title)}</title>
</head>
<body data-strings="${data}">
<script nonce="${nonce}" src="${media(script)}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Messages from a webview are untrusted: check the shape before acting on one. */
export function isMessage<T extends { type: string }>(m: unknown, type: T['type'], check: (m: Record<string, unknown>) => boolean = () => true): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type && check(m as Record<string, unknown>);
}

export const isShortString = (v: unknown, max = 10_000): v is string => typeof v === 'string' && v.length <= max;
