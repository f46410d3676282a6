// Messages between the index (graphBuild.ts) and the worker that builds its HNSW graph
// (graphWorker.ts): one typed file both sides import, as the service protocol is.

/** Graph parameters, given to the worker at start (its workerData). */
export interface GraphWorkerInit {
  dims: number;
  m: number;
  efConstruction: number;
  seed: number;
  /** Points the graph has room for before it grows. */
  capacity: number;
  /**
   * One Int32 the index sets to 1 to stop the worker: checked before every point, so the worker
   * stops between two hnswlib calls. It must never be terminated inside one: hnswlib-node reads
   * the point's array element by element, and a read failing under termination aborts the whole
   * process (node-addon-api's fatal "napi_throw"), as a CI run showed.
   */
  stop: SharedArrayBuffer;
}

export const OP_ADD = 0;
export const OP_REMOVE = 1;

export type GraphWorkerMessage =
  /** Changes in the order the index applied them; `data` holds the vectors of the adds, in order. */
  | { type: 'ops'; kinds: Uint8Array; ids: Float64Array; data: Float32Array }
  /** Write the graph as it stands after every earlier message to `file`. */
  | { type: 'finish'; file: string }
  /** Stop (the stop flag is set too): close the port, so the thread ends on its own. */
  | { type: 'stop' };

/** `progress`: a batch of changes is in the graph (the index sends the next one). */
export type GraphWorkerReply = { type: 'progress' } | { type: 'written'; file: string };
