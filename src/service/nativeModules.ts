// The service's native modules (ONNX Runtime, hnswlib) are loaded first, before the engine: a
// package built for another platform, or a broken install, then says so in one sentence and the
// service exits with SERVICE_CANNOT_RUN_EXIT_CODE, so the editor shows that sentence once instead
// of a stack trace and a restart loop (restarting would fail the same way).

/** Each native module the service needs, loaded by a literal require so bundlers keep it external. */
const NATIVE_MODULES: { name: string; load: () => unknown }[] = [
  {
    name: 'onnxruntime-node',
    load: () => {
      // As transformers.js does before it loads the runtime.
      process.env.ORT_DISABLE_TELEMETRY = '1';
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require('onnxruntime-node');
    },
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  { name: 'hnswlib-node', load: () => require('hnswlib-node') },
];

/** null when every native module loads; else one sentence: which one, on what platform, what to do. */
export function nativeModuleProblem(): string | null {
  const platform = `${process.platform}-${process.arch}`;
  for (const m of NATIVE_MODULES) {
    try {
      m.load();
    } catch (err) {
      const why = String((err as Error)?.message ?? err).split('\n')[0].slice(0, 300);
      return `its native module ${m.name} does not load on ${platform} (${why}). Install the Semantic Notes package built for ${platform}.`;
    }
  }
  return null;
}
