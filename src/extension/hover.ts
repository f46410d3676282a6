// Hover hints in markdown: the three passages elsewhere most related to the paragraph under the
// mouse, as links. Answers come from vectors already in the index, requests are cancelled with
// the hover, and results are cached per document version and line.
import * as vscode from 'vscode';
import { Requests, type FolderHit } from '../protocol/protocol';
import { openHitCommandUri } from './results';
import type { ServiceClient } from './serviceClient';
import { uiSettings } from './settings';
import type { WorkspaceIndex } from './workspaceIndex';

export class RelatedHoverProvider implements vscode.HoverProvider {
  private readonly cache = new Map<string, FolderHit[]>();

  constructor(private readonly service: ServiceClient, private readonly index: WorkspaceIndex) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | null> {
    const ui = uiSettings();
    if (!ui.hoverEnabled || !this.service.running) return null;
    const text = doc.lineAt(pos.line).text;
    if (!text.trim()) return null;
    const loc = this.index.folderIdOf(doc.uri);
    if (!loc) return null;
    const key = `${doc.uri}@${doc.version}:${pos.line}`;
    let hits = this.cache.get(key);
    if (!hits) {
      // An edited note may not be re-indexed yet: relate the line's own text then.
      const dirty = doc.isDirty;
      try {
        hits = dirty
          ? await this.service.request(Requests.relatedText, { text: paragraphAt(doc, pos.line), k: 4 }, token)
          : await this.service.request(Requests.related, { folderId: loc.id, path: loc.rel, line: pos.line + 1, k: 3 }, token);
      } catch {
        return null;
      }
      if (token.isCancellationRequested) return null;
      hits = hits.filter((h) => !(h.folderId === loc.id && h.path === loc.rel)).slice(0, 3);
      if (this.cache.size > 200) this.cache.clear();
      this.cache.set(key, hits);
    }
    const shown = hits.filter((h) => h.score >= ui.hoverThreshold);
    if (!shown.length) return null;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['semanticNotes.openResult'] };
    md.appendMarkdown(`**${vscode.l10n.t('Related notes')}**\n\n`);
    for (const h of shown) {
      md.appendMarkdown(`- [${escapeMd(h.heading || h.path)}](${openHitCommandUri(h)}) `);
      md.appendText(`${h.path}:${h.startLine} · ${h.score.toFixed(2)}\n`);
    }
    return new vscode.Hover(md);
  }
}

function paragraphAt(doc: vscode.TextDocument, line: number): string {
  let a = line, b = line;
  while (a > 0 && doc.lineAt(a - 1).text.trim()) a--;
  while (b < doc.lineCount - 1 && doc.lineAt(b + 1).text.trim()) b++;
  const lines: string[] = [];
  for (let i = a; i <= b; i++) lines.push(doc.lineAt(i).text);
  return lines.join('\n').slice(0, 4000);
}

/** Note text inside link labels: markdown and HTML specials escaped so it shows as text. */
function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~&]/g, (c) => `\\${c}`);
}
