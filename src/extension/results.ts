// Search results on the client side: every hit the service returns passes through here, so the
// "open" paths (webview messages, hover command links, tree items) can only open a passage the
// index actually returned, inside its workspace folder.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FolderHit } from '../protocol/protocol';

export type HitRef = Pick<FolderHit, 'folderId' | 'path' | 'startLine' | 'endLine'>;

const MAX_KNOWN = 5_000;

export class Results {
  /** folderId + path of passages the service returned lately (insertion-ordered, capped). */
  private readonly known = new Set<string>();

  remember<T extends FolderHit>(hits: T[]): T[] {
    for (const h of hits) {
      const key = keyOf(h);
      this.known.delete(key);
      this.known.add(key);
    }
    while (this.known.size > MAX_KNOWN) this.known.delete(this.known.values().next().value!);
    return hits;
  }

  isKnown(h: unknown): h is HitRef {
    if (typeof h !== 'object' || h === null) return false;
    const r = h as Record<string, unknown>;
    return typeof r.folderId === 'string' && typeof r.path === 'string' && isLine(r.startLine) && isLine(r.endLine) && this.known.has(keyOf(r as unknown as HitRef));
  }

  /** Opens a passage the index returned at its first line, revealed in the middle. */
  async open(hit: unknown, opts: { preview?: boolean; viewColumn?: vscode.ViewColumn } = {}): Promise<vscode.TextEditor | undefined> {
    if (!this.isKnown(hit)) return undefined;
    const uri = uriInFolder(hit.folderId, hit.path);
    if (!uri) return undefined;
    const start = new vscode.Position(hit.startLine - 1, 0);
    const editor = await vscode.window.showTextDocument(uri, { preview: opts.preview ?? false, viewColumn: opts.viewColumn, selection: new vscode.Range(start, start) });
    editor.revealRange(new vscode.Range(start, new vscode.Position(Math.max(hit.startLine, hit.endLine) - 1, 0)), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return editor;
  }
}

/** The file of a result, or null unless it lies inside that (open) workspace folder. */
export function uriInFolder(folderId: string, rel: string): vscode.Uri | null {
  const f = vscode.workspace.workspaceFolders?.find((w) => w.uri.toString() === folderId);
  if (!f || f.uri.scheme !== 'file' || !rel || path.isAbsolute(rel)) return null;
  const abs = path.resolve(f.uri.fsPath, ...rel.split('/'));
  const inside = path.relative(f.uri.fsPath, abs);
  return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? vscode.Uri.file(abs) : null;
}

/** The workspace folder key and the relative path (forward slashes) of a file, if in one. */
export function locate(uri: vscode.Uri): { folderId: string; rel: string } | null {
  if (uri.scheme !== 'file') return null;
  const f = vscode.workspace.getWorkspaceFolder(uri);
  if (!f || f.uri.scheme !== 'file') return null;
  const rel = path.relative(f.uri.fsPath, uri.fsPath);
  if (!rel || rel.startsWith('..')) return null;
  return { folderId: f.uri.toString(), rel: rel.split(path.sep).join('/') };
}

export function hitTitle(h: Pick<FolderHit, 'heading' | 'path'>): string {
  return h.heading || h.path;
}

/** A command link that opens a result (hovers allow links only). */
export function openCommandUri(h: HitRef): string {
  // Parentheses are encoded too: an unbalanced one would end a markdown link early.
  const args = encodeURIComponent(JSON.stringify([{ folderId: h.folderId, path: h.path, startLine: h.startLine, endLine: h.endLine }])).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:semanticNotes.openResult?${args}`;
}

function keyOf(h: Pick<HitRef, 'folderId' | 'path'>): string {
  return `${h.folderId}\n${h.path}`;
}

function isLine(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) < 10_000_000;
}
