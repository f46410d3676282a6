// The reader's worker thread (noteReader.ts): reads batches of notes and walks folders with plain
// synchronous calls, so the indexing thread neither waits on the disk nor pays the promise API's
// cost per call.
import { parentPort } from 'node:worker_threads';
import { runRequest, type ReaderReply, type ReaderRequest } from './readerProtocol';

parentPort!.on('message', (msg: { id: number; req: ReaderRequest }) => {
  let reply: ReaderReply;
  try {
    reply = { id: msg.id, value: runRequest(msg.req) };
  } catch (err) {
    reply = { id: msg.id, error: (err as Error)?.message ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
