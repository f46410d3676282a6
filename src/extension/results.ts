// Opening a search result: the file at the passage's lines, revealed in the middle.
import * as vscode from 'vscode';
import type { FolderHit } from '../protocol/protocol';
import type { WorkspaceIndex } from './workspaceIndex';

export async function openHit(index: WorkspaceIndex, hit: Pick<FolderHit, 'folderId' | 'path' | 'startLine' | 'endLine'>, preview = false): Promise<void> {
  const uri = index.uriOf(hit.folderId, hit.path);
  if (!uri) return;
  const start = new vscode.Position(Math.max(0, hit.startLine - 1), 0);
  const editor = await vscode.window.showTextDocument(uri, { preview, selection: new vscode.Range(start, start) });
  editor.revealRange(new vscode.Range(start, new vscode.Position(Math.max(0, hit.endLine - 1), 0)), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export function hitLabel(h: FolderHit): string {
  return h.heading || h.path;
}

/** A command URI that opens a result (used in hovers, where only links are allowed). */
export function openHitCommandUri(h: FolderHit): vscode.Uri {
  const args = encodeURIComponent(JSON.stringify([{ folderId: h.folderId, path: h.path, startLine: h.startLine, endLine: h.endLine }]));
  return vscode.Uri.parse(`command:semanticNotes.openResult?${args}`);
}
