// Which process may write a store folder. The lock is a file `lock.<N>` holding "<pid> <token>";
// an empty one is free (released, or taken on a full disk that had no room for the pid).
//
// Taking the lock creates the next generation, lock.<N+1>, with link(): creating a name that
// exists fails, so of two processes that both find lock.<N> stale exactly one gets N+1 and the
// other finds a live holder. A process that worked from an older view and created a lower
// generation sees the higher one and steps back. The old way (delete the stale file, create it
// again) let the slower of two processes delete the lock the faster one had just taken, and both
// wrote (test/engine/index/lockRace.test.ts). Generations only grow: a release empties its file
// instead of deleting it, and each new holder deletes the generations below its own.
//
// Kept by hand rather than proper-lockfile: that one judges a lock stale by age, so a process
// whose event loop is busy (chunking a huge note) would lose its lock; a pid check does not.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class StoreLockedError extends Error {}

const PREFIX = 'lock.';
/** Rounds of looking again after losing a race for a generation. */
const ATTEMPTS = 20;

/** Whether a name in a store folder belongs to the lock (kept by the store's sweeping). */
export function isLockFile(name: string): boolean {
  return /^lock\.\d+$/.test(name) || name.startsWith('lock-claim.');
}

export class StoreLock {
  private constructor(private readonly file: string) {}

  /** Takes the lock of `dir`, or throws StoreLockedError naming the live process that holds it. */
  static acquire(dir: string): StoreLock {
    const token = crypto.randomBytes(6).toString('hex');
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const gens = generations(dir);
      const top = gens.length ? gens[gens.length - 1] : 0;
      if (top) {
        const pid = holderOf(path.join(dir, PREFIX + top));
        // Our own pid: this process opened the folder before (tests, a reopen) and may again.
        if (pid && pid !== process.pid && isAlive(pid)) {
          throw new StoreLockedError(`the index at ${dir} is being written by process ${pid}; stop it or use another --store`);
        }
      }
      const n = top + 1;
      const file = path.join(dir, PREFIX + n);
      if (!claim(dir, file, token)) continue; // another process took generation n: look again
      if (generations(dir).some((g) => g > n)) {
        fs.rmSync(file, { force: true }); // a newer holder exists: we worked from an old view
        continue;
      }
      for (const g of gens) fs.rmSync(path.join(dir, PREFIX + g), { force: true });
      return new StoreLock(file);
    }
    throw new StoreLockedError(`could not lock the index at ${dir}: other processes keep taking it`);
  }

  /** Lets go: the file stays, empty, so the next holder takes a higher generation. */
  release(): void {
    try {
      fs.truncateSync(this.file, 0);
    } catch {
      // already gone (a reopen in this process took over), or the folder was removed
    }
  }
}

function generations(dir: string): number[] {
  const out: number[] = [];
  for (const f of fs.readdirSync(dir)) if (/^lock\.\d+$/.test(f)) out.push(Number(f.slice(PREFIX.length)));
  return out.sort((a, b) => a - b);
}

/** The pid in a lock file; 0 when it is free (empty, unreadable, gone). */
function holderOf(file: string): number {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split(' ')[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}

/**
 * Creates `file` holding our pid, atomically: the content is written to a claim file first and
 * linked in, so no one ever reads a half-written lock. False when `file` exists already.
 */
function claim(dir: string, file: string, token: string): boolean {
  const tmp = path.join(dir, `lock-claim.${process.pid}.${token}`);
  try {
    try {
      fs.writeFileSync(tmp, `${process.pid} ${token}`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOSPC' && code !== 'EDQUOT') throw err;
      // A full disk may create the file but not its few bytes: an empty lock is still ours to
      // use (another process reads it as free, the best a full disk allows).
      fs.writeFileSync(tmp, '');
    }
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
