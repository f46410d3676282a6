// The HNSW graph built off the thread that answers searches (graphBuild.ts starts it). Adding a
// point to a graph of tens of thousands costs ~1-2 ms, so a graph for a large notes folder takes
// minutes; here that time runs on another core while the index keeps answering with exact search.
// Operations arrive in the order the index applied them; `finish` writes the graph as it stands.
import { parentPort, workerData } from 'node:worker_threads';
import { HierarchicalNSW } from 'hnswlib-node';
import { OP_REMOVE, type GraphWorkerInit, type GraphWorkerMessage, type GraphWorkerReply } from './graphProtocol';

const init = workerData as GraphWorkerInit;
const stop = new Int32Array(init.stop);
const stopping = () => Atomics.load(stop, 0) !== 0;
const graph = new HierarchicalNSW('cosine', init.dims);
graph.initIndex({ maxElements: init.capacity, m: init.m, efConstruction: init.efConstruction, randomSeed: init.seed, allowReplaceDeleted: true });

function reply(msg: GraphWorkerReply): void {
  parentPort!.postMessage(msg);
}

parentPort!.on('message', (msg: GraphWorkerMessage) => {
  if (msg.type === 'ops') {
    const { kinds, ids, data } = msg;
    const d = init.dims;
    for (let i = 0, at = 0; i < kinds.length; i++) {
      if (stopping()) return;
      if (kinds[i] === OP_REMOVE) {
        try {
          graph.markDelete(ids[i]);
        } catch {
          // not in the graph, or already deleted
        }
        continue;
      }
      if (graph.getCurrentCount() >= graph.getMaxElements()) graph.resizeIndex(graph.getMaxElements() * 2);
      graph.addPoint(Array.from(data.subarray(at * d, (at + 1) * d)), ids[i], true);
      at++;
    }
    reply({ type: 'progress' });
  } else if (msg.type === 'stop') {
    parentPort!.close();
  } else if (msg.type === 'finish') {
    if (stopping()) return;
    graph.writeIndexSync(msg.file);
    reply({ type: 'written', file: msg.file });
  }
});
