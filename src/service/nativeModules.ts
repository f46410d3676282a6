// The service's native module (ONNX Runtime) is loaded first, before the engine: a
// package built for another platform, or a broken install, then says so in one sentence (the
// service answers every request with it, ErrorCodes.cannotRun) instead of crashing at start with
// a stack trace into a restart loop that would fail the same way each time.

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
];

/** null when every native module loads; else one sentence: which one, on what platform, what to do. */
export function nativeModuleProblem(): string | null {
  const platform = `${process.platform}-${process.arch}`;
  for (const m of NATIVE_MODULES) {
    try {
      m.load();
    } catch (err) {
      // The first line, without a dangling list intro ("Could not locate the bindings file. Tried:").
      const why = String((err as Error)?.message ?? err).split('\n')[0].replace(/\s*\S+:$/, '').replace(/\.$/, '').slice(0, 300);
      return `its native module ${m.name} does not load on ${platform} (${why}). Install the Semantic Notes package built for ${platform}.`;
    }
  }
  return null;
}
