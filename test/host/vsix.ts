// Packages the extension as users get it: `vsce package --target linux-x64`, dependencies
// included (the service needs onnxruntime-node, hnswlib-node and transformers.js at run time),
// other platforms' binaries left out by .vscodeignore.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export function packageVsix(extDir: string, outFile: string): void {
  const vsce = path.join(extDir, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--target', 'linux-x64', '--allow-missing-repository', '-o', outFile], { cwd: extDir, stdio: ['ignore', 'ignore', 'inherit'] });
}
