// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over the
// target, fsync the folder. A process killed at any point leaves either the old or the new file,
// never a mix.
// Kept by hand rather than write-file-atomic: the store needs the size and crc32 of what it wrote
// (the manifest records them), writes several buffers without joining them, and tears writes on
// purpose under the crash tests' failpoints; the whole job is ~40 lines.
// Parts may come from a generator, written as they are made: a snapshot's JSON and vectors are
// never whole in memory (joined, they added ~70 MB to the peak of indexing the notes corpus).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { shouldTear, tearAndDie } from './failpoint';

export function writeFileAtomicSync(file: string, data: string | Uint8Array | Iterable<Uint8Array>): { bytes: number; crc32: number } {
  const tmp = `${file}.tmp-${process.pid}`;
  const parts: Iterable<Uint8Array> = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
  let bytes = 0;
  let crc = 0;
  const fd = fs.openSync(tmp, 'w');
  if (shouldTear(file)) tearAndDie(fd, Buffer.concat([...parts]), null);
  try {
    for (const part of parts) {
      let off = 0;
      while (off < part.length) off += fs.writeSync(fd, part, off, part.length - off);
      bytes += part.length;
      crc = crc32(part, crc);
    }
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path.dirname(file));
  return { bytes, crc32: crc };
}

export function fsyncDir(dir: string): void {
  // Not every platform lets a folder be opened for fsync (Windows); the rename is durable enough there.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}
