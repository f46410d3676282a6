// Packages the extension as users get it: `npx vsce package --target linux-x64 -o <outFile>` run in
// extDir, WITH dependencies (no --no-dependencies: the service needs onnxruntime-node,
// hnswlib-node and @huggingface/transformers at run time). vsce works offline; .vscodeignore drops
// other platforms' ONNX Runtime binaries, native build intermediates, sources and tests
// (linux-x64 package ≈ 30–63 MB instead of 154 MB). `npx --no` uses the installed @vscode/vsce and
// never fetches one; stdin is closed so a vsce prompt fails instead of hanging. There is no
// repository URL in package.json, so README links are left relative (--no-rewrite-relative-links)
// instead of vsce refusing to package.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function packageVsix(extDir: string, outFile: string): Promise<void> {
  const out = path.resolve(outFile);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const args = ['--no', '--', 'vsce', 'package', '--target', 'linux-x64', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out];
  return new Promise((resolve, reject) => {
    const p = spawn('npx', args, { cwd: extDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    const log: string[] = [];
    p.stdout!.on('data', (d) => log.push(String(d)));
    p.stderr!.on('data', (d) => log.push(String(d)));
    p.on('error', (err) => reject(new Error(`could not run npx vsce: ${err.message}`)));
    p.on('exit', (code, signal) => {
      if (code === 0 && fs.existsSync(out)) resolve();
      else reject(new Error(`npx vsce package in ${extDir} failed (${code ?? signal}):\n${log.join('').slice(-4000)}`));
    });
  });
}
