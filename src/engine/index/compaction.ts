// When the log of changes is folded into a new snapshot, and the renumbering of chunk ids that
// rides along with it.
import type { NoteStore } from '../store/noteStore';
import { guardDisk } from '../store/diskFull';
import type { IndexState, Logger } from './indexState';

/**
 * Chunk ids only grow (each new passage takes the next one), and the vector file holds them in
 * 32 bits. A compaction past this id gives the passages fresh ids 1…n first.
 */
export const RENUMBER_ABOVE = 2 ** 30;

/**
 * Snapshots when the log has grown past a quarter of the snapshot (or 4 MiB), else makes the log
 * durable. Returns the state to use from now on (a renumbered one after some compactions).
 */
export function maybeCompact(state: IndexState, store: NoteStore, log?: Logger): IndexState {
  const wal = store.walBytes;
  if (wal === 0) return state;
  if (wal > Math.max(4 << 20, store.snapshotBytes / 4)) return compact(state, store, log);
  guardDisk(store.dir, () => store.sync());
  return state;
}

/** Writes a new snapshot; returns the state to use from now on. */
export function compact(state: IndexState, store: NoteStore, log?: Logger): IndexState {
  // A renumbered state is adopted only once its snapshot is written: the log still holds the
  // old ids, and a failed write must leave memory matching it.
  const next = state.nextId > RENUMBER_ABOVE ? state.renumbered() : state;
  guardDisk(store.dir, () => store.compact(next.snapshot()));
  if (next !== state) log?.('info', `passage ids renumbered 1…${next.nextId - 1} (they had reached ${state.nextId - 1})`);
  return next;
}
