// Append-only write-ahead log of index changes since the last snapshot. Each record is framed as
// [u32 payload length][u32 crc32 of payload][payload], so a record torn by a crash or a full disk
// is recognised on replay and cut off, and everything before it is kept.
// Kept by hand: an embedded database (SQLite, LevelDB) would bring a native module per platform
// into the extension for what is ~80 lines of framing, and the store's crash tests rely on
// tearing this log at chosen bytes.
import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { shouldTear, tearAndDie } from './failpoint';

const HEADER = 8;
/** A sane bound on one record (one note's chunks and vectors); larger means a damaged length. */
const MAX_RECORD = 256 << 20;

export class WriteAheadLog {
  private fd: number;
  private size: number;

  private constructor(readonly file: string, fd: number, size: number) {
    this.fd = fd;
    this.size = size;
  }

  /** Opens for appending at `validBytes` (the end of the last good record), cutting any torn tail. */
  static openForAppend(file: string, validBytes: number): WriteAheadLog {
    const fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w+');
    fs.ftruncateSync(fd, validBytes);
    return new WriteAheadLog(file, fd, validBytes);
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends one record per payload, in one write (a torn write keeps the whole records before the tear). */
  append(...payloads: Uint8Array[]): void {
    if (payloads.length === 0) return;
    const parts: Uint8Array[] = [];
    for (const payload of payloads) {
      const header = Buffer.allocUnsafe(HEADER);
      header.writeUInt32LE(payload.length, 0);
      header.writeUInt32LE(crc32(payload), 4);
      parts.push(header, payload);
    }
    const frame = Buffer.concat(parts);
    if (shouldTear(this.file)) tearAndDie(this.fd, frame, this.size);
    try {
      let off = 0;
      while (off < frame.length) off += fs.writeSync(this.fd, frame, off, frame.length - off, this.size + off);
    } catch (err) {
      // Disk full or I/O error mid-write: drop what it wrote so the log stays well formed.
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        /* replay cuts the torn frame anyway */
      }
      throw err;
    }
    this.size += frame.length;
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Reads every intact record; `validBytes` is where the first bad or torn frame starts. */
  static read(file: string): { records: Buffer[]; validBytes: number; tornBytes: number } {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], validBytes: 0, tornBytes: 0 };
      throw err;
    }
    const records: Buffer[] = [];
    let off = 0;
    while (off + HEADER <= buf.length) {
      const len = buf.readUInt32LE(off);
      const crc = buf.readUInt32LE(off + 4);
      if (len > MAX_RECORD || off + HEADER + len > buf.length) break;
      const payload = buf.subarray(off + HEADER, off + HEADER + len);
      if (crc32(payload) !== crc) break;
      records.push(payload);
      off += HEADER + len;
    }
    return { records, validBytes: off, tornBytes: buf.length - off };
  }
}
