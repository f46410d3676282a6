// "Equals a clean rebuild": the passages of an index, and those a fresh index of the same folder
// gets. Fault tests compare the two after whatever they did to the store.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Encoder } from '../../src/engine/embedding/encoder';
import { NotesIndex } from '../../src/engine/index/notesIndex';
import { tmpDir } from './env';

/** Every passage (where, heading, text, whether it has a vector), sorted. */
export function passageFingerprint(idx: NotesIndex): string[] {
  return [...idx.passages.chunks.values()].map((c) => `${c.path}:${c.startLine}-${c.endLine}:${c.heading}:${c.text}:${idx.passages.vectors?.has(c.id)}`).sort();
}

/** The fingerprint of a fresh index of `root` in a temporary store (removed after). */
export async function cleanRebuild(root: string, enc: Encoder | null): Promise<string[]> {
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-clean-'), encoder: enc });
  await idx.sync();
  const f = passageFingerprint(idx);
  await idx.close();
  fs.rmSync(path.dirname(idx.storePath), { recursive: true, force: true });
  return f;
}
