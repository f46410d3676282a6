// Small synchronous probes of the file system, for code that only needs a yes/no or a best-effort
// read (model folders, settings files): every failure — missing, unreadable, not JSON — is "no".
import * as fs from 'node:fs';

export function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The parsed JSON of a file, or null when it cannot be read or parsed. */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
