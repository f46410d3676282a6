// The Node.js versions Semantic Notes runs on. The store and the keyword index check their files
// with zlib.crc32, which Node added in 20.15.0 and 22.2.0 (Node 21 never had it). The service and
// the CLI check this first and refuse an older Node in one sentence instead of failing later, on
// the first index write, with a TypeError. package.json's engines.node says the same.

/** Each supported release line and its first version: [major, minor, patch]. */
const FLOORS: ReadonlyArray<readonly [number, number, number]> = [
  [20, 15, 0],
  [22, 2, 0],
];
export const SUPPORTED_NODE = '20.15+ or 22.2+';

function parse(version: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function atLeast(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** True when `version` (e.g. "20.15.0" or "v22.11.0") is a Node that Semantic Notes supports. */
export function isSupportedNode(version: string): boolean {
  const v = parse(version);
  if (!v) return false;
  // 20.x from 20.15 on; 22.x from 22.2 on; any later major (23+).
  if (v[0] > FLOORS[FLOORS.length - 1][0]) return true;
  const floor = FLOORS.find((f) => f[0] === v[0]);
  return floor !== undefined && atLeast(v, floor);
}

/** null on a supported Node; else the one sentence that says what is needed. */
export function nodeVersionProblem(version: string = process.versions.node): string | null {
  if (isSupportedNode(version)) return null;
  return `Semantic Notes needs Node.js ${SUPPORTED_NODE} (it checks its index files with zlib.crc32); this is Node.js ${version.replace(/^v/, '')}.`;
}
