// The reader's worker thread (noteReader.ts): reads batches of notes with plain synchronous calls,
// so the indexing thread neither waits on the disk nor pays the promise API's cost per call.
import { parentPort } from 'node:worker_threads';
import { readBatchSync, type ReadBatch } from './readNote';

parentPort!.on('message', (msg: { id: number; batch: ReadBatch }) => {
  parentPort!.postMessage({ id: msg.id, results: readBatchSync(msg.batch) });
});
