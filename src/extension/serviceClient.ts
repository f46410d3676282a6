// Starts the background service (a Node child process running the engine), speaks the protocol
// to it over IPC, and restarts it with backoff if it dies. Like vscode-eslint's client: the
// extension host only sends requests and renders answers; it never loads a model.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancellationTokenSource, createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { RequestType, RequestType0 } from 'vscode-jsonrpc';
import { Notifications, type DownloadEvent, type LogEvent, type ModelState, type ProgressEvent } from '../protocol/protocol';

export interface ServiceEvents {
  onProgress: vscode.Event<ProgressEvent>;
  onDownload: vscode.Event<DownloadEvent>;
  onModelState: vscode.Event<{ embedding: ModelState }>;
  /** Fired after the service (re)started and before anything is sent: the owner re-sends state. */
  onStarted: vscode.Event<void>;
}

const MAX_BACKOFF_MS = 30_000;

export class ServiceClient implements vscode.Disposable, ServiceEvents {
  private child: ChildProcess | null = null;
  private conn: MessageConnection | null = null;
  private starting: Promise<MessageConnection> | null = null;
  private restarts = 0;
  private stopped = false;
  private lastCrashNotice = 0;
  private readonly progress = new vscode.EventEmitter<ProgressEvent>();
  private readonly download = new vscode.EventEmitter<DownloadEvent>();
  private readonly modelState = new vscode.EventEmitter<{ embedding: ModelState }>();
  private readonly started = new vscode.EventEmitter<void>();
  readonly onProgress = this.progress.event;
  readonly onDownload = this.download.event;
  readonly onModelState = this.modelState.event;
  readonly onStarted = this.started.event;

  constructor(private readonly extensionPath: string, private readonly log: vscode.LogOutputChannel) {}

  /** Sends a request, starting the service first if needed. A VS Code token cancels it in the service. */
  async request<P, R>(type: RequestType<P, R, void> | RequestType0<R, void>, params?: P, token?: vscode.CancellationToken): Promise<R> {
    const conn = await this.connection();
    if (!token) return (params === undefined ? conn.sendRequest(type.method) : conn.sendRequest(type.method, params)) as Promise<R>;
    const source = new CancellationTokenSource();
    const sub = token.onCancellationRequested(() => source.cancel());
    try {
      return (await (params === undefined ? conn.sendRequest(type.method, source.token) : conn.sendRequest(type.method, params, source.token))) as R;
    } finally {
      sub.dispose();
      source.dispose();
    }
  }

  get running(): boolean {
    return this.conn !== null;
  }

  connection(): Promise<MessageConnection> {
    if (this.conn) return Promise.resolve(this.conn);
    if (this.stopped) return Promise.reject(new Error('Semantic Notes is shutting down'));
    this.starting ??= this.start().finally(() => (this.starting = null));
    return this.starting;
  }

  private async start(): Promise<MessageConnection> {
    const main = path.join(this.extensionPath, 'out', 'src', 'service', 'main.js');
    // The editor's own runtime runs the service; ELECTRON_RUN_AS_NODE makes Electron act as Node.
    const child = fork(main, [], { execArgv: [], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout?.on('data', (d: Buffer) => this.log.debug(`[service] ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => this.log.warn(`[service] ${d.toString().trimEnd()}`));
    const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    conn.onNotification(Notifications.progress.method, (e: ProgressEvent) => this.progress.fire(e));
    conn.onNotification(Notifications.download.method, (e: DownloadEvent) => this.download.fire(e));
    conn.onNotification(Notifications.modelState.method, (e: { embedding: ModelState }) => this.modelState.fire(e));
    conn.onNotification(Notifications.log.method, (e: LogEvent) => this.log[e.level === 'warn' ? 'warn' : e.level === 'error' ? 'error' : 'info'](e.message));
    conn.listen();
    child.on('exit', (code, signal) => this.onExit(child, conn, code, signal));
    this.child = child;
    this.conn = conn;
    this.log.info(`service started (pid ${child.pid})`);
    this.started.fire();
    return conn;
  }

  private onExit(child: ChildProcess, conn: MessageConnection, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    conn.dispose();
    this.child = null;
    this.conn = null;
    if (this.stopped) return;
    this.restarts++;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.restarts - 1, 6));
    this.log.error(`service stopped (${signal ?? `exit code ${code}`}); restarting in ${delay} ms`);
    if (Date.now() - this.lastCrashNotice > 5 * 60_000) {
      this.lastCrashNotice = Date.now();
      void vscode.window.showWarningMessage(vscode.l10n.t('Semantic Notes: the background service stopped and is restarting. Your index is kept.'), vscode.l10n.t('Show Log')).then((c) => c && this.log.show());
    }
    setTimeout(() => {
      if (!this.stopped) this.connection().then(() => (this.restarts = Math.max(0, this.restarts - 1)), (err) => this.log.error(String(err)));
    }, delay);
  }

  /** For tests and "Restart": kill the service as a crash would. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (this.conn) {
      try {
        await Promise.race([this.conn.sendRequest('semanticNotes/shutdown'), new Promise((r) => setTimeout(r, 3000))]);
      } catch {
        /* already gone */
      }
      this.conn.dispose();
    }
    child?.kill();
    this.child = null;
    this.conn = null;
  }
}

