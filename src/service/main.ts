// Entry point of the background service process, forked by the extension with an IPC channel.
// It exits when the channel closes, so a crashed or reloaded editor never leaves it behind. Every
// way out (channel gone, SIGTERM, SIGINT) goes through one shutdown that saves the open indexes
// first: an exit that does not wait for it leaves the store's lock and an uncompacted log.
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../protocol/protocol';
import { nativeModuleProblem } from './nativeModules';
import { nodeVersionProblem } from '../engine/util/nodeVersion';

if (!process.send) {
  process.stderr.write('semantic-notes service: must be started by the extension with an IPC channel\n');
  process.exit(2);
}

const conn = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
/** Longest a shutdown may take (running syncs are cancelled, so saving is what remains). */
const SHUTDOWN_LIMIT_MS = 15_000;

// Checked before the engine loads (it needs a Node with zlib.crc32 and both native modules).
const problem = nodeVersionProblem() ?? nativeModuleProblem();
if (problem === null) serve(conn);
else refuse(conn, problem);
conn.listen();

function serve(conn: MessageConnection): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Server } = require('./server') as typeof import('./server');
  const server = new Server(conn);
  process.on('uncaughtException', (err) => {
    // Report and exit: the extension restarts the service, and the store recovers from its log.
    try {
      server.log('error', `service crashed: ${err.stack ?? err.message}`);
    } finally {
      setTimeout(() => process.exit(1), 50);
    }
  });
  process.on('unhandledRejection', (err) => server.log('error', `unhandled: ${(err as Error)?.stack ?? String(err)}`));
  exitAfter(() => server.shutdown());
}

/** Runs `shutdown` once, whichever way the process is asked to go, then exits. */
function exitAfter(shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), SHUTDOWN_LIMIT_MS).unref();
    void shutdown()
      .catch((err: Error) => process.stderr.write(`semantic-notes service: shutdown failed: ${err.message}\n`))
      .finally(() => process.exit(0));
  };
  conn.onClose(stop);
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * On an unsupported Node or without its native modules the service stays up and answers every request with the reason:
 * exiting would only make the editor restart it, failing the same way each time.
 */
function refuse(conn: MessageConnection, reason: string): void {
  process.stderr.write(`${reason}\n`);
  conn.onRequest(() => new ResponseError(ErrorCodes.cannotRun, reason));
  exitAfter(async () => {});
}
