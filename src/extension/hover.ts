// Hover hints in markdown: the three passages elsewhere most related to the paragraph or heading
// under the mouse, with their similarity, as links that open them. The service answers from the
// vectors already in the index; the request is cancelled with the hover; answers are cached per
// document version and paragraph; nothing is asked while a folder is being indexed.
import * as vscode from 'vscode';
import type { FolderHit } from '../protocol/protocol';
import { paragraphStart, type Queries } from './queries';
import { hitTitle, locate, openCommandUri } from './results';
import type { ServiceClient } from './serviceClient';
import { uiSettings } from './settings';
import type { WorkspaceIndex } from './workspaceIndex';

const SHOWN = 3;
const MAX_CACHE = 300;

export class RelatedHoverProvider implements vscode.HoverProvider, vscode.Disposable {
  private readonly cache = new Map<string, FolderHit[]>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly service: ServiceClient, private readonly index: WorkspaceIndex, private readonly queries: Queries) {
    this.sub = index.onDidChange(() => this.cache.clear());
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | null> {
    const ui = uiSettings();
    if (!ui.hoverEnabled || !doc.lineAt(pos.line).text.trim() || !locate(doc.uri)) return null;
    const start = paragraphStart(doc, pos.line);
    const key = `${doc.uri}@${doc.version}:${start}`;
    let hits = this.cache.get(key);
    if (!hits) {
      // Hovers never wait on a busy or restarting service.
      if (!this.service.running || this.index.busy) return null;
      try {
        hits = await this.queries.relatedToDocument(doc, pos.line, SHOWN, token);
      } catch {
        return null;
      }
      if (token.isCancellationRequested) return null;
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(key, hits);
    }
    const shown = hits.filter((h) => h.score >= ui.hoverThreshold).slice(0, SHOWN);
    if (!shown.length) return null;
    return new vscode.Hover(hoverMarkdown(shown));
  }

  dispose(): void {
    this.sub.dispose();
  }
}

/** Only the open-result command may run from these links; note text is escaped. */
export function hoverMarkdown(hits: FolderHit[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = { enabledCommands: ['semanticNotes.openResult'] };
  md.supportHtml = false;
  md.appendMarkdown(`**${escapeMd(vscode.l10n.t('Related notes'))}**\n\n`);
  for (const h of hits) {
    md.appendMarkdown(`- [${escapeMd(hitTitle(h))}](${openCommandUri(h)} "${escapeMd(`${h.path}:${h.startLine}`)}") `);
    md.appendMarkdown(`\`${h.score.toFixed(2)}\` `);
    md.appendText(`${h.path}:${h.startLine}`);
    md.appendMarkdown('\n');
  }
  return md;
}

/** Markdown and HTML specials escaped so note text shows as text inside a link label. */
function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~&"]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}
