// Hover hints in markdown: the three passages elsewhere most related to the paragraph or heading
// under the mouse, each with how related it is next to the best one (a bar and a word; the raw
// score in the link's tooltip), as links that open them. The service returns only passages that
// stand out from the folder's typical similarity, so no raw threshold is applied here (one number
// could not mean the same across models); when none stands out the hover says so. The service
// answers from the vectors already in the index; the request is cancelled with the hover; answers
// are cached per document version and paragraph; nothing is asked while a folder is being indexed.
import * as vscode from 'vscode';
import type { FolderHit } from '../protocol/protocol';
import { paragraphStart, type Queries } from './queries';
import { barAndLabel, relevanceOfHits, relevanceTooltip } from './relevanceText';
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
    return new vscode.Hover(hoverMarkdown(hits.slice(0, SHOWN)));
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
  if (!hits.length) {
    md.appendMarkdown(`*${escapeMd(vscode.l10n.t('No passage stands out as related to this one.'))}*\n`);
    return md;
  }
  const relevance = relevanceOfHits(hits);
  hits.forEach((h, i) => {
    const tip = `${h.path}:${h.startLine} — ${relevanceTooltip(relevance[i], h.score)}`;
    md.appendMarkdown(`- [${escapeMd(hitTitle(h))}](${openCommandUri(h)} "${escapeMd(tip)}") `);
    md.appendText(`${barAndLabel(relevance[i])} · ${h.path}:${h.startLine}`);
    md.appendMarkdown('\n');
  });
  return md;
}

/** Markdown and HTML specials escaped so note text shows as text inside a link label. */
function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~&"]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}
