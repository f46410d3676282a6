// The typed contract between the extension host (client) and the background service (server),
// spoken as JSON-RPC over the child process's IPC channel. Both sides import this one file.
// Plain data only: every type here must survive JSON.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { IndexStatus } from '../engine/index/notesIndex';
import type { ModelKind } from '../engine/models/profile';
import type { Metric, Pooling, SearchHit, SearchMode, SkippedFile } from '../engine/types';

export type { Metric, ModelKind, Pooling, SearchHit, SearchMode, SkippedFile };
export { DEFAULT_MODELS, isOneOf, METRICS, POOLINGS, SEARCH_MODES } from '../shared/choices';

/** Settings the service needs; sent at start and again whenever they change. */
export interface ServiceConfig {
  /** Folder of local models (transformers.js layout); empty = not set. */
  modelsDir: string;
  /** Per-user model cache (downloads land here). */
  cacheDir: string;
  allowDownloads: boolean;
  /** Override of the hub address, for mirrors (and the loopback test hub). */
  remoteHost?: string;
  embeddingModel: string;
  fillMaskModel: string;
  crossEncoderModel: string;
  /** Pooling override for the embedding model; '' = the model's own profile. */
  pooling: Pooling | '';
  /**
   * Share of meaning in hybrid search, 0..1 (0 = keywords alone); null = the model's own setting
   * (its profile's `fusion`), which is what most users want.
   */
  semanticWeight?: number | null;
  include: string[];
  exclude: string[];
  maxFileBytes: number;
  /**
   * Whether the user trusts the workspace (`vscode.workspace.isTrusted`); absent = trusted. An
   * untrusted workspace's notes are read without following any symbolic link.
   */
  trusted?: boolean;
}

export interface FolderSpec {
  /** Stable key of a workspace folder (its URI string). */
  id: string;
  root: string;
  storeDir: string;
}

/**
 * The embedding model that answers searches. A model the user picks (or downloads) does not take
 * over at once: it is prepared in the background (see UpgradeEvent) while this one keeps serving.
 */
export type ModelState =
  | { state: 'ready'; id: string; dims: number }
  | { state: 'missing'; id: string; message: string }
  | { state: 'error'; id: string; message: string }
  | { state: 'loading'; id: string };

export interface IndexSummary {
  folderId: string;
  files: number;
  chunks: number;
  embedded: number;
  skipped: number;
  model: string | null;
}

/** The engine's status of one folder's index, plus what the service knows of it. */
export interface FolderStatus extends IndexStatus {
  folderId: string;
  indexing: boolean;
  /** The transformer to offer for download for this folder's notes (by their scripts). */
  recommendedModel: string;
}

export interface FolderHit extends SearchHit {
  folderId: string;
  /**
   * Search hits only: the words of the heading (or the path, when there is none) and of the
   * snippet that match the query, as [start, end) offsets, marked the way keyword search matches.
   */
  marks?: { heading: [number, number][]; snippet: [number, number][] };
}

export interface SearchResult {
  /** One ranking across every folder searched. */
  hits: FolderHit[];
  /** The ranking used: 'keyword' when the model could not read the query (then `notice` says so). */
  ranking: SearchMode;
  notice?: string;
}

export interface SearchParams {
  query: string;
  mode: SearchMode;
  rerank: boolean;
  k: number;
  /** Limit to these folders; all when absent. */
  folderIds?: string[];
}

export interface RelatedParams {
  folderId: string;
  /** Path relative to the folder root. */
  path: string;
  /** 1-based line: related to the passage there; the whole note when absent. */
  line?: number;
  k: number;
}

export interface RelatedTextParams {
  text: string;
  k: number;
}

export interface SimilarityParams {
  texts: string[];
  pooling?: Pooling;
  metric: Metric;
}

export interface SimilarityResult {
  texts: string[];
  matrix: number[][];
  model: string;
  pooling: Pooling;
  metric: Metric;
}

export interface MaskParams {
  text: string;
  k: number;
}

export interface MaskCandidate {
  token: string;
  score: number;
  sequence: string;
}

export interface FileChanges {
  folderId: string;
  changed: string[];
  deleted: string[];
  renamed: { from: string; to: string }[];
}

export interface ProgressEvent {
  folderId: string;
  phase: 'scan' | 'index' | 'save' | 'done';
  done: number;
  total: number;
}

export interface DownloadEvent {
  model: string;
  file: string;
  loaded: number;
  total: number;
  status: string;
}

/**
 * A better embedding model being prepared beside the one serving: downloaded (with downloads
 * allowed), then each folder indexed with it in a store of its own; when every folder is complete
 * the service switches to it at once ('done'). Searches keep answering from the current model the
 * whole time. 'failed' leaves the current model serving and says why.
 */
export interface UpgradeEvent {
  target: string;
  /** The model serving meanwhile (and after 'failed'). */
  serving: string | null;
  phase: 'download' | 'index' | 'done' | 'failed';
  /** index: notes indexed so far over all folders, of total; download: bytes. */
  done: number;
  total: number;
  /** failed: why, in a sentence. */
  message?: string;
  /** failed: true when the model is simply not there (downloads off, or not on the hub). */
  missing?: boolean;
}

/** What a settings change needs, weakest first (the service's table: service/settingsEffects.ts). */
export const SETTING_EFFECTS = ['nothing', 'research', 'resync', 'reembed', 'reopen'] as const;
export type SettingEffect = (typeof SETTING_EFFECTS)[number];

/** What configure and prepareModels answer: the serving model, and the upgrade under way if any. */
export interface ModelReport {
  embedding: ModelState;
  upgrade?: UpgradeEvent;
  /** configure only: what the change of settings needs from the client (the service did its part). */
  effect?: SettingEffect;
}

export interface LogEvent {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export const Requests = {
  configure: new RequestType<ServiceConfig, ModelReport, void>('semanticNotes/configure'),
  openFolder: new RequestType<FolderSpec, FolderStatus, void>('semanticNotes/openFolder'),
  closeFolder: new RequestType<{ folderId: string }, void, void>('semanticNotes/closeFolder'),
  sync: new RequestType<{ folderId: string }, IndexSummary, void>('semanticNotes/sync'),
  rebuild: new RequestType<{ folderId: string }, IndexSummary, void>('semanticNotes/rebuild'),
  applyChanges: new RequestType<FileChanges, void, void>('semanticNotes/applyChanges'),
  status: new RequestType0<FolderStatus[], void>('semanticNotes/status'),
  coverage: new RequestType<{ folderId: string }, { indexed: number; skipped: SkippedFile[] }, void>('semanticNotes/coverage'),
  search: new RequestType<SearchParams, SearchResult, void>('semanticNotes/search'),
  related: new RequestType<RelatedParams, FolderHit[], void>('semanticNotes/related'),
  relatedText: new RequestType<RelatedTextParams, FolderHit[], void>('semanticNotes/relatedText'),
  similarity: new RequestType<SimilarityParams, SimilarityResult, void>('semanticNotes/similarity'),
  mask: new RequestType<MaskParams, MaskCandidate[][], void>('semanticNotes/mask'),
  /**
   * Downloads (or finds) the configured models, reporting DownloadEvents meanwhile. For the
   * embedding model it answers once the model is loaded; its index is then built in the
   * background (UpgradeEvents) while the current model keeps serving.
   */
  prepareModels: new RequestType<{ kinds: ModelKind[] }, ModelReport, void>('semanticNotes/prepareModels'),
  shutdown: new RequestType0<void, void>('semanticNotes/shutdown'),
} as const;

export const Notifications = {
  progress: new NotificationType<ProgressEvent>('semanticNotes/progress'),
  download: new NotificationType<DownloadEvent>('semanticNotes/download'),
  log: new NotificationType<LogEvent>('semanticNotes/log'),
  modelState: new NotificationType<{ embedding: ModelState }>('semanticNotes/modelState'),
  /**
   * The cross-encoder (rerank) model, once a search asked for rerank: 'ready', or 'missing' /
   * 'error' with the reason (searches then go on without rerank). Sent when it changes.
   */
  rerankState: new NotificationType<ModelState>('semanticNotes/rerankState'),
  upgrade: new NotificationType<UpgradeEvent>('semanticNotes/upgrade'),
} as const;

/** Error codes the client reacts to (JSON-RPC application range). */
export const ErrorCodes = {
  modelMissing: -32001,
  badInput: -32002,
  folderUnknown: -32003,
  /** A native module does not load (a package for another platform): every request fails so, with one sentence saying why. */
  cannotRun: -32004,
} as const;
