// Settings → the service's configuration. Model folders and downloads are machine-scoped
// settings (package.json), so a workspace's own settings cannot redirect them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Pooling, SearchMode, ServiceConfig } from '../protocol/protocol';

export const SECTION = 'semanticNotes';

export interface UiSettings {
  defaultMode: SearchMode;
  rerank: boolean;
  resultCount: number;
  hoverEnabled: boolean;
  hoverThreshold: number;
}

export function serviceConfig(ctx: vscode.ExtensionContext): ServiceConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const filesExclude = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude') ?? {};
  const modelsDir = c.get<string>('modelsDirectory')?.trim() || process.env.SEMANTIC_NOTES_MODELS || '';
  return {
    modelsDir: modelsDir ? path.resolve(modelsDir) : '',
    cacheDir: path.join(ctx.globalStorageUri.fsPath, 'models'),
    allowDownloads: c.get<boolean>('allowDownloads') ?? false,
    remoteHost: process.env.SEMANTIC_NOTES_REMOTE_HOST || undefined,
    embeddingModel: c.get<string>('embeddingModel') || 'Xenova/all-MiniLM-L6-v2',
    fillMaskModel: c.get<string>('fillMaskModel') || 'Xenova/bert-base-uncased',
    crossEncoderModel: c.get<string>('crossEncoderModel') || 'Xenova/ms-marco-MiniLM-L-6-v2',
    pooling: (c.get<string>('pooling') ?? '') as Pooling | '',
    include: c.get<string[]>('include') ?? [],
    exclude: [...(c.get<string[]>('exclude') ?? []), ...Object.keys(filesExclude).filter((k) => filesExclude[k])],
    maxFileBytes: Math.max(1, c.get<number>('maxFileSizeKB') ?? 2048) * 1024,
  };
}

export function uiSettings(): UiSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const mode = c.get<string>('search.defaultMode');
  return {
    defaultMode: mode === 'semantic' || mode === 'keyword' ? mode : 'hybrid',
    rerank: c.get<boolean>('search.rerank') ?? false,
    resultCount: Math.min(100, Math.max(1, c.get<number>('search.resultCount') ?? 20)),
    hoverEnabled: c.get<boolean>('hover.enabled') ?? true,
    hoverThreshold: c.get<number>('hover.threshold') ?? 0.5,
  };
}
