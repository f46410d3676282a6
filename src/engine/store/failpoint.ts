// Fault injection for the crash tests: SEMANTIC_NOTES_FAILPOINT="<file>:<n>" makes the n-th write
// (1-based) of a store file whose name ends with <file> ("meta.json", "wal", "manifest.json", …)
// stop halfway and the process kill itself with SIGKILL — a real torn write, exactly what a
// killed editor or a power cut leaves. Inert (one string compare per write) when the variable is
// unset, which it always is outside tests.
import * as fs from 'node:fs';

interface Failpoint {
  suffix: string;
  nth: number;
  seen: number;
}

const failpoint: Failpoint | null = parse(process.env.SEMANTIC_NOTES_FAILPOINT);

function parse(spec: string | undefined): Failpoint | null {
  const m = /^(.+):(\d+)$/.exec(spec?.trim() ?? '');
  return m ? { suffix: m[1], nth: Number(m[2]), seen: 0 } : null;
}

/** True when this write of `file` is the one to tear (the caller then calls tearAndDie). */
export function shouldTear(file: string): boolean {
  if (!failpoint) return false;
  const name = file.replace(/\.tmp-\d+$/, '');
  if (!name.endsWith(failpoint.suffix)) return false;
  return ++failpoint.seen === failpoint.nth;
}

/** Writes the first half of `data` at `position` of `fd`, flushes it, and dies by SIGKILL. */
export function tearAndDie(fd: number, data: Uint8Array, position: number | null): never {
  const half = data.subarray(0, Math.max(1, data.length >> 1));
  fs.writeSync(fd, half, 0, half.length, position);
  fs.fsyncSync(fd);
  return crashNow();
}

function crashNow(): never {
  process.stderr.write(`failpoint ${process.env.SEMANTIC_NOTES_FAILPOINT}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not catchable; this only satisfies the type checker.
  throw new Error('unreachable');
}
