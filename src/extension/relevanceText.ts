// The words for relevance levels (see relevance.ts), translated, and the power-user tooltip that
// keeps the raw score within reach.
import * as vscode from 'vscode';
import { rawScore, relativeRelevance, textBar, type Relevance, type RelevanceLevel } from './relevance';

export function levelLabel(level: RelevanceLevel): string {
  switch (level) {
    case 5:
      return vscode.l10n.t('best match');
    case 4:
      return vscode.l10n.t('strong');
    case 3:
      return vscode.l10n.t('good');
    case 2:
      return vscode.l10n.t('related');
    default:
      return vscode.l10n.t('weak');
  }
}

/** "▰▰▰▰▱ strong": what a row shows. */
export function barAndLabel(r: Relevance): string {
  return `${textBar(r.level)} ${levelLabel(r.level)}`;
}

/** "strong: 84% of the best match · score 0.0312": what a tooltip adds. */
export function relevanceTooltip(r: Relevance, score: number): string {
  return vscode.l10n.t('{0}: {1}% of the best match · score {2}', levelLabel(r.level), Math.round(r.ratio * 100), rawScore(score));
}

/** Relevance of each hit of a list, in the list's order. */
export function relevanceOfHits(hits: readonly { score: number }[]): Relevance[] {
  return relativeRelevance(hits.map((h) => h.score));
}
