// Entry point of the background service process, forked by the extension with an IPC channel.
// It exits when the channel closes, so a crashed or reloaded editor never leaves it behind.
import * as fs from 'node:fs';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { SERVICE_CANNOT_RUN_EXIT_CODE } from '../protocol/protocol';
import { nativeModuleProblem } from './nativeModules';

if (!process.send) {
  process.stderr.write('semantic-notes service: must be started by the extension with an IPC channel\n');
  process.exit(2);
}

// Before the engine loads (it needs both native modules): one line on stderr, a known exit code.
const problem = nativeModuleProblem();
if (problem !== null) {
  fs.writeSync(2, `${problem}\n`);
  process.exit(SERVICE_CANNOT_RUN_EXIT_CODE);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Server } = require('./server') as typeof import('./server');

const conn = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
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
process.on('disconnect', () => {
  void server.shutdown().finally(() => process.exit(0));
});

conn.onClose(() => process.exit(0));
conn.listen();
