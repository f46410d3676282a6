// The service supervisor and typed client. It forks the background service (a Node child process
// that owns the engine) with the editor's own runtime, speaks src/protocol/protocol.ts to it over
// IPC, and restarts it when it dies (restartPolicy.ts: capped backoff; after repeated fast crashes
// it stops and tells the user why, with a Restart action). Like vscode-eslint's client: the
// extension host only sends requests and renders answers; it never loads a model.
import { fork, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import {
  CancellationTokenSource,
  createMessageConnection,
  ErrorCodes as RpcErrorCodes,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  type MessageConnection,
  type RequestType,
  type RequestType0,
} from 'vscode-jsonrpc/node';
import { ErrorCodes, Notifications, Requests, type DownloadEvent, type LogEvent, type ModelState, type ProgressEvent, type UpgradeEvent } from '../protocol/protocol';
import { RestartPolicy } from './restartPolicy';

/** Sends one typed request on a given connection (what the initializer gets). */
export type Send = <P, R>(type: RequestType<P, R, void>, params: P) => Promise<R>;

export type ServiceState = 'stopped' | 'starting' | 'running' | 'restarting';

/** A request failed because the service went away (crash, restart, shutdown). */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}

export class ServiceClient implements vscode.Disposable {
  private child: ChildProcess | null = null;
  private conn: MessageConnection | null = null;
  /** Settles when the current (or next) service is up and initialised. */
  private ready: Promise<MessageConnection> | null = null;
  private initializer: ((send: Send) => Promise<void>) | null = null;
  private readonly restartPolicy = new RestartPolicy();
  /** Why the service is no longer restarted (repeated fast crashes), until the user restarts it. */
  private gaveUp: string | null = null;
  private crashReported = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private stateValue: ServiceState = 'stopped';
  /** Shown once: the service cannot run here (a native module does not load). */
  private cannotRunShown = false;

  private readonly emitters = {
    progress: new vscode.EventEmitter<ProgressEvent>(),
    download: new vscode.EventEmitter<DownloadEvent>(),
    modelState: new vscode.EventEmitter<{ embedding: ModelState }>(),
    rerankState: new vscode.EventEmitter<ModelState>(),
    upgrade: new vscode.EventEmitter<UpgradeEvent>(),
    log: new vscode.EventEmitter<LogEvent>(),
    started: new vscode.EventEmitter<{ restart: boolean }>(),
    state: new vscode.EventEmitter<ServiceState>(),
  };
  readonly onProgress = this.emitters.progress.event;
  readonly onDownload = this.emitters.download.event;
  readonly onModelState = this.emitters.modelState.event;
  /** The rerank model's state, once a search asked for rerank (and whenever it changes). */
  readonly onRerankState = this.emitters.rerankState.event;
  /** A model being prepared to take over (download, index, done, failed). */
  readonly onUpgrade = this.emitters.upgrade.event;
  /** Every log line of the service (already written to the log channel). */
  readonly onLog = this.emitters.log.event;
  /** After the service (re)started and the initializer ran. */
  readonly onDidStart = this.emitters.started.event;
  readonly onDidChangeState = this.emitters.state.event;

  constructor(private readonly servicePath: string, private readonly log: vscode.LogOutputChannel) {}

  /**
   * Runs on every start, before any other request reaches the new service: the owner re-sends
   * its state there (configure, openFolder for each folder).
   */
  setInitializer(fn: (send: Send) => Promise<void>): void {
    this.initializer = fn;
  }

  get state(): ServiceState {
    return this.stateValue;
  }

  get running(): boolean {
    return this.stateValue === 'running';
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the service if it is not running (the first request does it too). */
  start(): Promise<void> {
    return this.connection().then(() => undefined);
  }

  /**
   * Sends a typed request, starting the service first if needed. A VS Code token cancels it: the
   * service gets a JSON-RPC $/cancelRequest and the caller a CancellationError at once.
   */
  request<R>(type: RequestType0<R, void>, token?: vscode.CancellationToken): Promise<R>;
  request<P, R>(type: RequestType<P, R, void>, params: P, token?: vscode.CancellationToken): Promise<R>;
  async request<P, R>(type: RequestType<P, R, void> | RequestType0<R, void>, paramsOrToken?: P | vscode.CancellationToken, maybeToken?: vscode.CancellationToken): Promise<R> {
    const noParams = type.numberOfParams === 0;
    const params = noParams ? undefined : (paramsOrToken as P);
    const token = noParams ? (paramsOrToken as vscode.CancellationToken | undefined) : maybeToken;
    if (token?.isCancellationRequested) throw new vscode.CancellationError();
    const conn = await this.connection();
    const source = token ? new CancellationTokenSource() : undefined;
    const sent = (noParams ? conn.sendRequest(type as RequestType0<R, void>, source?.token) : conn.sendRequest(type as RequestType<P, R, void>, params as P, source?.token)) as Promise<R>;
    let sub: vscode.Disposable | undefined;
    const cancelled = token
      ? new Promise<never>((_, reject) => {
          sub = token.onCancellationRequested(() => {
            source!.cancel();
            reject(new vscode.CancellationError());
          });
        })
      : undefined;
    try {
      return await (cancelled ? Promise.race([sent, cancelled]) : sent);
    } catch (err) {
      throw this.explain(err);
    } finally {
      sub?.dispose();
      source?.dispose();
    }
  }

  /** For tests and recovery checks: kill the service as a crash would. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  private connection(): Promise<MessageConnection> {
    if (this.disposed) return Promise.reject(new ServiceUnavailableError(vscode.l10n.t('Semantic Notes is shutting down.')));
    if (this.gaveUp) return Promise.reject(new ServiceUnavailableError(vscode.l10n.t('The Semantic Notes service is stopped: {0}. Use Restart in its notification, or reload the window.', this.gaveUp)));
    this.ready ??= this.launch();
    return this.ready;
  }

  private async launch(): Promise<MessageConnection> {
    const restart = this.restartPolicy.restarting;
    this.setState(restart ? 'restarting' : 'starting');
    // The editor's own runtime runs the service; ELECTRON_RUN_AS_NODE makes Electron act as Node.
    const child = fork(this.servicePath, [], { execArgv: [], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout?.on('data', (d: Buffer) => this.log.debug(`[service] ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => this.log.warn(`[service] ${d.toString().trimEnd()}`));
    const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    conn.onNotification(Notifications.progress, (e) => this.emitters.progress.fire(e));
    conn.onNotification(Notifications.download, (e) => this.emitters.download.fire(e));
    conn.onNotification(Notifications.modelState, (e) => this.emitters.modelState.fire(e));
    conn.onNotification(Notifications.rerankState, (e) => this.emitters.rerankState.fire(e));
    conn.onNotification(Notifications.upgrade, (e) => this.emitters.upgrade.fire(e));
    conn.onNotification(Notifications.log, (e) => {
      if (e.level === 'error') this.log.error(e.message);
      else if (e.level === 'warn') this.log.warn(e.message);
      else this.log.info(e.message);
      this.emitters.log.fire(e);
    });
    child.on('exit', (code, signal) => this.onExit(child, conn, signal ?? `exit code ${code}`));
    child.on('error', (err) => this.onExit(child, conn, err.message));
    conn.listen();
    this.child = child;
    this.conn = conn;
    this.restartPolicy.started(Date.now());
    this.log.info(`service ${restart ? 're' : ''}started (pid ${child.pid})`);
    if (this.initializer) {
      const send: Send = (type, params) => conn.sendRequest(type, params);
      try {
        await this.initializer(send);
      } catch (err) {
        // Requests still go through; each reports its own error (the log says why).
        if (!this.cannotRun(err)) this.log.error(`could not initialise the service: ${(err as Error).message}`);
      }
    }
    if (this.child === child) {
      this.setState('running');
      this.emitters.started.fire({ restart });
    }
    return conn;
  }

  private onExit(child: ChildProcess, conn: MessageConnection, why: string): void {
    if (this.child !== child) return;
    // In-flight requests reject now (PendingResponseRejected), and are reported as "service stopped".
    conn.dispose();
    this.child = null;
    this.conn = null;
    if (this.disposed) return;
    const verdict = this.restartPolicy.crashed(Date.now(), why);
    if (!verdict.restart) {
      this.giveUp(verdict.reason);
      return;
    }
    const delay = verdict.delayMs;
    this.log.error(`service stopped (${why}); restarting in ${delay} ms`);
    this.setState('restarting');
    if (!this.crashReported) {
      // A progress notification closes itself once the service runs again (a plain warning would
      // stay on screen, saying "restarting" long after the restart). One per session: the status
      // bar shows later restarts.
      this.crashReported = true;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Semantic Notes: the background service stopped and is restarting. Your index is kept.') }, () => this.untilRunningAgain());
    }
    // Requests made meanwhile wait for the restart instead of bypassing the backoff.
    this.ready = new Promise<void>((resolve) => (this.restartTimer = setTimeout(resolve, delay))).then(() => this.launch());
    this.ready.catch((err) => this.log.error(`restart failed: ${(err as Error).message}`));
  }

  /** Stops restarting a service that keeps crashing, and tells the user why, with a Restart action. */
  private giveUp(reason: string): void {
    this.gaveUp = reason;
    this.ready = null;
    this.log.error(`service not restarted: ${reason}`);
    this.setState('stopped');
    const restart = vscode.l10n.t('Restart');
    const show = vscode.l10n.t('Show Log');
    void vscode.window.showErrorMessage(vscode.l10n.t('Semantic Notes: {0}. Search is unavailable until it runs again.', reason), restart, show).then((choice) => {
      if (choice === restart) void this.restart();
      else if (choice === show) this.log.show();
    });
  }

  /** Starts a service that was given up on, with a fresh count of attempts. */
  restart(): Promise<void> {
    if (this.disposed || this.child) return Promise.resolve();
    this.gaveUp = null;
    this.crashReported = false;
    this.restartPolicy.reset();
    return this.start().catch((err: Error) => this.log.error(`restart failed: ${err.message}`));
  }

  /** Settles when the service runs again, or is stopped for good. */
  private untilRunningAgain(): Promise<void> {
    return new Promise((resolve) => {
      const sub = this.emitters.state.event((st) => {
        if (st === 'running' || st === 'stopped') {
          sub.dispose();
          resolve();
        }
      });
    });
  }

  private explain(err: unknown): unknown {
    if (err instanceof vscode.CancellationError) return err;
    if (this.cannotRun(err)) return new ServiceUnavailableError(vscode.l10n.t('Semantic Notes cannot start: {0}', err.message));
    if (err instanceof ResponseError && err.code === RpcErrorCodes.PendingResponseRejected) return new ServiceUnavailableError(vscode.l10n.t('The Semantic Notes service stopped; it is restarting. Try again in a moment.'));
    if (err instanceof Error && /connection (is|got) (closed|disposed)/i.test(err.message)) return new ServiceUnavailableError(vscode.l10n.t('The Semantic Notes service stopped; it is restarting. Try again in a moment.'));
    return err;
  }

  /**
   * True when the service answered that it cannot run on this machine (a package for another
   * platform): the first time, the user is told why, once. Restarting would not help.
   */
  private cannotRun(err: unknown): err is ResponseError<unknown> {
    if (!(err instanceof ResponseError) || err.code !== ErrorCodes.cannotRun) return false;
    if (!this.cannotRunShown) {
      this.cannotRunShown = true;
      const message = vscode.l10n.t('Semantic Notes cannot start: {0}', err.message);
      this.log.error(message);
      const show = vscode.l10n.t('Show Log');
      void vscode.window.showErrorMessage(message, show).then((c) => c === show && this.log.show());
    }
    return true;
  }

  private setState(s: ServiceState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    this.emitters.state.fire(s);
  }

  /** Asks the service to save and exit; kills it if it does not within two seconds. */
  async stop(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    const conn = this.conn;
    this.setState('stopped');
    if (conn) {
      await Promise.race([conn.sendRequest(Requests.shutdown).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      conn.dispose();
    }
    child?.kill();
    this.child = null;
    this.conn = null;
  }

  dispose(): void {
    void this.stop();
    Object.values(this.emitters).forEach((e) => e.dispose());
  }
}
