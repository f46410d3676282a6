// A full disk is the user's to fix: it is reported plainly, and the store keeps its last good
// state (every write path leaves complete parts behind when it fails).

export class DiskFullError extends Error {
  override name = 'DiskFullError';
  readonly code = 'ENOSPC';
}

export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function diskFullError(where: string): DiskFullError {
  return new DiskFullError(`the disk holding the index (${where}) is full: the index is kept as it was, and indexing resumes once space is freed`);
}

/** Runs a write, turning a full disk into a DiskFullError about `where`. */
export function guardDisk<T>(where: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw isDiskFull(err) ? diskFullError(where) : err;
  }
}
