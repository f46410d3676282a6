// Starts the real background service (out/src/service/main.js) the way the extension does: a
// forked Node process speaking JSON-RPC over its IPC channel. Tests drive it through the typed
// protocol and see its notifications.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { Notifications, type LogEvent, type ProgressEvent, type ServiceConfig } from '../../src/protocol/protocol';
import { repoRoot, tmpDir } from './env';

export interface RunningService {
  conn: MessageConnection;
  child: ChildProcess;
  logs: LogEvent[];
  progress: ProgressEvent[];
  /** Set when the process exits (a crash the test did not ask for). */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  stop(): Promise<void>;
}

/** `entry`: the compiled service by default; the packaging tests pass the bundle (dist/service.js). */
export function startService(env: NodeJS.ProcessEnv = {}, entry = path.join(repoRoot, 'out', 'src', 'service', 'main.js')): RunningService {
  const child = fork(entry, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const svc: RunningService = {
    conn,
    child,
    logs: [],
    progress: [],
    exited: null,
    async stop() {
      if (svc.exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      if (!svc.exited) child.kill('SIGKILL');
      conn.dispose();
    },
  };
  conn.onNotification(Notifications.log.method, (e: LogEvent) => svc.logs.push(e));
  conn.onNotification(Notifications.progress.method, (e: ProgressEvent) => svc.progress.push(e));
  child.on('exit', (code, signal) => (svc.exited = { code, signal }));
  conn.listen();
  return svc;
}

/** A service configuration with the test's models folder and a private cache. */
export function serviceConfig(over: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    modelsDir: '',
    cacheDir: tmpDir('sn-svc-cache-'),
    allowDownloads: false,
    embeddingModel: 'semantic-notes/static-en',
    fillMaskModel: 'semantic-notes-test/tiny-bert-mlm',
    crossEncoderModel: 'semantic-notes-test/tiny-cross-encoder',
    pooling: '',
    include: [],
    exclude: [],
    maxFileBytes: 2 << 20,
    ...over,
  };
}
