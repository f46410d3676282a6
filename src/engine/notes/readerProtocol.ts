// What the note reader's worker thread is asked (noteReader.ts) and how it answers: a batch of
// notes to read, or a folder to walk. The worker and the in-thread fallback run the same code.
import { readBatchSync, type ReadBatch, type ReadResult } from './readNote';
import { walkNotesSync, type WalkResult, type WalkRules } from './walker';

export type ReaderRequest = { op: 'read'; batch: ReadBatch } | { op: 'walk'; root: string; rules: WalkRules };

/** What each request gives back. */
export type ReaderAnswer<R extends ReaderRequest> = R extends { op: 'read' } ? ReadResult[] : WalkResult;

/** On the wire: the request's id, and its answer or the message of what it threw. */
export type ReaderReply = { id: number; value: unknown } | { id: number; error: string };

export function runRequest(req: ReaderRequest): ReadResult[] | WalkResult {
  return req.op === 'read' ? readBatchSync(req.batch) : walkNotesSync(req.root, req.rules);
}
