// Settings → the service's configuration, and the UI's own settings. The models folder and
// downloads are machine-scoped (package.json) and listed as restricted configurations, so a
// workspace's own settings cannot redirect them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_MODELS, isOneOf, POOLINGS, SEARCH_MODES, type SearchMode, type ServiceConfig } from '../protocol/protocol';

export const SECTION = 'semanticNotes';

export interface UiSettings {
  defaultMode: SearchMode;
  rerank: boolean;
  resultCount: number;
  hoverEnabled: boolean;
}

/** The settings serviceConfig reads: a change of any is sent to the service (configure). */
const SERVICE_SETTINGS = ['modelsDirectory', 'allowDownloads', 'embeddingModel', 'fillMaskModel', 'crossEncoderModel', 'pooling', 'semanticWeight', 'include', 'exclude', 'maxFileSizeKB'];

export function serviceConfig(ctx: vscode.ExtensionContext): ServiceConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const filesExclude = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude') ?? {};
  const modelsDir = c.get<string>('modelsDirectory')?.trim() || process.env.SEMANTIC_NOTES_MODELS?.trim() || '';
  const pooling = c.get<string>('pooling');
  return {
    modelsDir: modelsDir ? path.resolve(modelsDir) : '',
    cacheDir: path.join(ctx.globalStorageUri.fsPath, 'models'),
    allowDownloads: c.get<boolean>('allowDownloads') ?? false,
    remoteHost: process.env.SEMANTIC_NOTES_REMOTE_HOST || undefined,
    // package.json states the same defaults (test/engine/models/catalog.test.ts checks they agree).
    embeddingModel: c.get<string>('embeddingModel')?.trim() || DEFAULT_MODELS.embedding,
    fillMaskModel: c.get<string>('fillMaskModel')?.trim() || DEFAULT_MODELS.fillMask,
    crossEncoderModel: c.get<string>('crossEncoderModel')?.trim() || DEFAULT_MODELS.crossEncoder,
    pooling: isOneOf(POOLINGS, pooling) ? pooling : '',
    semanticWeight: weight(c.get('semanticWeight')),
    include: strings(c.get('include')),
    // files.exclude patterns that are switched on (a `{ when }` object means "sometimes": skipped).
    exclude: [...strings(c.get('exclude')), ...Object.keys(filesExclude).filter((k) => filesExclude[k] === true)],
    maxFileBytes: Math.max(1, Number(c.get<number>('maxFileSizeKB')) || 2048) * 1024,
    // Restricted Mode: the service follows no symbolic link in the workspace's folders.
    trusted: vscode.workspace.isTrusted,
  };
}

export function uiSettings(): UiSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const mode = c.get<string>('search.defaultMode');
  return {
    defaultMode: isOneOf(SEARCH_MODES, mode) ? mode : 'hybrid',
    rerank: c.get<boolean>('search.rerank') ?? false,
    resultCount: Math.min(100, Math.max(1, Math.round(Number(c.get<number>('search.resultCount')) || 20))),
    hoverEnabled: c.get<boolean>('hover.enabled') ?? true,
  };
}

/**
 * Whether a configuration change reaches the service. What it needs there (re-search, resync,
 * re-embed) is the service's to decide: configure answers it (ModelReport.effect).
 */
export function affectsService(e: vscode.ConfigurationChangeEvent): boolean {
  return SERVICE_SETTINGS.some((k) => e.affectsConfiguration(`${SECTION}.${k}`)) || e.affectsConfiguration('files.exclude');
}

/** A fusion weight from 0 to 1, or null for the model's own. */
function weight(v: unknown): number | null {
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
}
