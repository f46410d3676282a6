// The read side of the index as the UI uses it: search, related passages of a note or of a text.
// Every hit is remembered (see results.ts) so only returned passages can be opened later.
import * as vscode from 'vscode';
import { Requests, type FolderHit, type SearchMode } from '../protocol/protocol';
import { locate, type Results } from './results';
import type { ServiceClient } from './serviceClient';
import { uiSettings } from './settings';

export interface SearchArgs {
  query: string;
  mode?: SearchMode;
  rerank?: boolean;
  k?: number;
}

export class Queries {
  constructor(private readonly service: ServiceClient, readonly results: Results) {}

  async search(args: SearchArgs, token?: vscode.CancellationToken): Promise<FolderHit[]> {
    return (await this.searchWithNotice(args, token)).hits;
  }

  /** search(), with the service's note when the model could not read the query (keyword results then). */
  async searchWithNotice(args: SearchArgs, token?: vscode.CancellationToken): Promise<{ hits: FolderHit[]; notice?: string }> {
    const ui = uiSettings();
    const r = await this.service.request(Requests.search, { query: args.query, mode: args.mode ?? ui.defaultMode, rerank: args.rerank ?? ui.rerank, k: args.k ?? ui.resultCount }, token);
    return { hits: this.results.remember(r.hits), notice: r.notice };
  }

  /**
   * Passages in other notes related to the passage at `line` (0-based) of a document, or to the
   * whole note. An edited, unsaved note is not in the index yet: its paragraph's text is used.
   */
  async relatedToDocument(doc: vscode.TextDocument, line: number | undefined, k: number, token?: vscode.CancellationToken): Promise<FolderHit[]> {
    const loc = locate(doc.uri);
    if (!loc) return [];
    let hits: FolderHit[] = [];
    if (!doc.isDirty || line === undefined) {
      hits = await this.service.request(Requests.related, { folderId: loc.folderId, path: loc.rel, line: line === undefined ? undefined : line + 1, k: k + 5 }, token);
    }
    // Unsaved edits, or a note not indexed (yet): relate the paragraph's own text.
    if (!hits.length && line !== undefined) {
      const text = paragraphAt(doc, line);
      if (text.trim()) hits = await this.service.request(Requests.relatedText, { text, k: k + 5 }, token);
    }
    return this.results.remember(hits.filter((h) => !(h.folderId === loc.folderId && h.path === loc.rel)).slice(0, k));
  }

  async relatedToText(text: string, k: number, token?: vscode.CancellationToken): Promise<FolderHit[]> {
    return this.results.remember(await this.service.request(Requests.relatedText, { text, k }, token));
  }
}

/** The paragraph (lines between blank lines) around `line`, capped at 4,000 characters. */
export function paragraphAt(doc: vscode.TextDocument, line: number): string {
  let a = line;
  let b = line;
  while (a > 0 && doc.lineAt(a - 1).text.trim()) a--;
  while (b < doc.lineCount - 1 && doc.lineAt(b + 1).text.trim()) b++;
  return doc.getText(new vscode.Range(a, 0, b, doc.lineAt(b).text.length)).slice(0, 4000);
}

/** The first line of the paragraph around `line`: a stable key while the cursor moves inside it. */
export function paragraphStart(doc: vscode.TextDocument, line: number): number {
  let a = line;
  while (a > 0 && doc.lineAt(a - 1).text.trim() && !/^#{1,6}\s/.test(doc.lineAt(a).text)) a--;
  return a;
}
