// Where a download is assembled before it counts as a model: a private staging folder under
// <cache>/.partial, renamed into place only when every file is complete, and swept when the
// process that owned it no longer runs (killed mid-download).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A staging folder of this process for one model (its pid in the name, for sweeping). */
export function stagingFolder(partialDir: string, id: string): string {
  return path.join(partialDir, `${id.replace('/', '--')}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
}

/**
 * Renames a complete staging folder to `target`; an older (or concurrently finished) copy in the
 * way is swapped out and dropped.
 */
export function moveIntoPlace(staging: string, target: string, partialDir: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    fs.renameSync(staging, target);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
  }
  // An older (or concurrently finished) copy is in the way: swap it out, then drop it.
  const trash = path.join(partialDir, `trash.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  fs.renameSync(target, trash);
  fs.renameSync(staging, target);
  fs.rmSync(trash, { recursive: true, force: true });
}

/** Removes staging folders left by processes that no longer run (killed mid-download). */
export function removeAbandoned(partialDir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(partialDir);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = /\.(\d+)\.[0-9a-f]+$/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(partialDir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
