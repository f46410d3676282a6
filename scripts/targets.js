#!/usr/bin/env node
// The platforms Semantic Notes is packaged for, and what each package keeps of the native modules.
// One .vsix per target (`vsce package --target`), each with only its own binaries:
//   - ONNX Runtime: onnxruntime-node ships every platform's binaries in its npm package; a package
//     keeps its target's binding and runtime library (macOS: only libonnxruntime.1.dylib, the name
//     the binding links to; the 1.30.0-named file is a second copy. Windows: no DirectML/DXC
//     DLLs, loaded only for the DirectML provider, and the engine always asks for the CPU one).
//   ONNX Runtime is the only native module, so any machine can build any target's package.
// Every native file of a package is checked by its header (ELF / Mach-O / PE machine type), so a
// foreign binary fails the build.
//   node scripts/targets.js supported <target>          exit 1 with the reason unless we package <target>
//   node scripts/targets.js ignore <target> <out-file>   write .vscodeignore plus the target's runtime
//   node scripts/targets.js list <target>                the files a <target> package holds (vsce's own listing)
//   node scripts/targets.js check <file.vsix> <target>   fail unless every native file is <target>'s
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';

/** Supported targets: the ONNX Runtime files each keeps (in ORT_BIN/<os>/<arch>/). */
const TARGETS = {
  'linux-x64': ['libonnxruntime.so.1', 'onnxruntime_binding.node'],
  'linux-arm64': ['libonnxruntime.so.1', 'onnxruntime_binding.node'],
  'darwin-arm64': ['libonnxruntime.1.dylib', 'onnxruntime_binding.node'],
  'win32-x64': ['onnxruntime.dll', 'onnxruntime_binding.node'],
  'win32-arm64': ['onnxruntime.dll', 'onnxruntime_binding.node'],
};

/** vsce targets we do not build, and why (one sentence each). */
const UNSUPPORTED = {
  'darwin-x64': 'ONNX Runtime 1.30 (the version transformers.js 4.3 pins) has no macOS x64 binary',
  'alpine-x64': "ONNX Runtime's Linux binaries are built against glibc and Alpine has musl",
  'alpine-arm64': "ONNX Runtime's Linux binaries are built against glibc and Alpine has musl",
  'linux-armhf': 'ONNX Runtime has no 32-bit ARM binary',
  web: 'the engine needs Node and native modules',
};

/** A native file by its name: a Node addon or a shared library. */
const isNative = (name) => /\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(name);

/** The files of ORT_BIN a target keeps, as package paths. */
function runtimeFiles(target) {
  const files = TARGETS[target];
  if (!files) throw new Error(targetProblem(target));
  const [osName, arch] = target.split('-');
  return files.map((f) => `${ORT_BIN}/${osName}/${arch}/${f}`);
}

/** One sentence for a target we do not package. */
function targetProblem(target) {
  const why = UNSUPPORTED[target];
  const supported = Object.keys(TARGETS).join(', ');
  return why ? `no package for ${target}: ${why}. Supported: ${supported}.` : `unknown target '${target}'. Supported: ${supported}.`;
}

/**
 * The platform a native binary runs on, from its header: 'linux-x64', 'darwin-arm64',
 * 'win32-x64'… ('darwin-universal' for a fat Mach-O), or null when it is not an ELF, Mach-O or PE
 * file, or its machine is one we do not know.
 */
function binaryPlatform(buf) {
  if (buf.length < 64) return null;
  if (buf.readUInt32BE(0) === 0x7f454c46) {
    // ELF: e_machine at 18 (little-endian when EI_DATA is 1).
    const machine = buf[5] === 1 ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
    return { 0x3e: 'linux-x64', 0xb7: 'linux-arm64', 0x28: 'linux-armhf' }[machine] ?? null;
  }
  const magic = buf.readUInt32LE(0);
  if (magic === 0xfeedfacf) {
    // 64-bit Mach-O: cputype at 4.
    return { 0x01000007: 'darwin-x64', 0x0100000c: 'darwin-arm64' }[buf.readUInt32LE(4)] ?? null;
  }
  if (buf.readUInt32BE(0) === 0xcafebabe) return 'darwin-universal';
  if (buf.readUInt16LE(0) === 0x5a4d) {
    // PE: "MZ", then e_lfanew at 0x3c points at "PE\0\0" and the COFF machine.
    const pe = buf.readUInt32LE(0x3c);
    if (pe + 6 > buf.length || buf.readUInt32LE(pe) !== 0x00004550) return null;
    return { 0x8664: 'win32-x64', 0xaa64: 'win32-arm64', 0x14c: 'win32-ia32' }[buf.readUInt16LE(pe + 4)] ?? null;
  }
  return null;
}

/**
 * Native files among `files` ({ name, bytes() }) and whether each is the target's:
 * { natives: [{ name, platform }], foreign: [{ name, platform }] }.
 */
function checkNatives(files, target) {
  const natives = [];
  for (const f of files) {
    if (!isNative(f.name)) continue;
    // Only the header is needed, but the zip reader returns whole entries.
    natives.push({ name: f.name, platform: binaryPlatform(f.bytes()) });
  }
  return { natives, foreign: natives.filter((n) => n.platform !== target) };
}

/** The text of the ignore file for `target`: .vscodeignore plus the target's runtime files. */
function ignoreText(target) {
  const base = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  return `${base.trimEnd()}\n\n# ${target}'s ONNX Runtime (scripts/targets.js)\n${runtimeFiles(target).map((f) => `!${f}`).join('\n')}\n`;
}

/** The files a `target` package holds, as vsce selects them (package.json's folder as root). */
async function listTargetFiles(target) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-targets-'));
  try {
    const ignoreFile = path.join(tmp, 'ignore');
    fs.writeFileSync(ignoreFile, ignoreText(target));
    const vsce = require('@vscode/vsce');
    const files = await vsce.listFiles({ cwd: root, ignoreFile, packageManager: vsce.PackageManager.Npm });
    return files.map((f) => f.split(path.sep).join('/')).sort();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(argv) {
  const [cmd, a, b] = argv;
  if (cmd === 'supported' && a) {
    if (!TARGETS[a]) throw new Error(targetProblem(a));
  } else if (cmd === 'ignore' && a && b) {
    fs.writeFileSync(b, ignoreText(a));
  } else if (cmd === 'list' && a) {
    if (!TARGETS[a]) throw new Error(targetProblem(a));
    for (const f of await listTargetFiles(a)) console.log(f);
  } else if (cmd === 'check' && a && b) {
    if (!TARGETS[b]) throw new Error(targetProblem(b));
    const zip = require('./vsix-contents.js');
    const entries = zip.listEntries(a).filter((e) => e.name.startsWith('extension/'));
    const files = entries.map((e) => ({ name: e.name.slice('extension/'.length), bytes: () => zip.readEntry(a, e) }));
    const { natives, foreign } = checkNatives(files, b);
    for (const n of natives) console.log(`native  ${n.platform ?? 'unknown'}  ${n.name}`);
    const expected = [...runtimeFiles(b)].sort();
    const names = natives.map((n) => n.name).sort();
    if (foreign.length > 0) throw new Error(`${path.basename(a)} holds binaries that are not ${b}'s: ${foreign.map((f) => `${f.name} (${f.platform ?? 'unknown'})`).join(', ')}`);
    if (names.join('\n') !== expected.join('\n')) throw new Error(`${path.basename(a)} should hold exactly these native files: ${expected.join(', ')}; it holds ${names.join(', ')}`);
    console.log(`${path.basename(a)}: ${natives.length} native files, all ${b}`);
  } else {
    throw new Error('usage: node scripts/targets.js supported <target> | ignore <target> <out-file> | list <target> | check <file.vsix> <target>');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}

module.exports = { TARGETS, UNSUPPORTED, ORT_BIN, isNative, runtimeFiles, targetProblem, binaryPlatform, checkNatives, ignoreText, listTargetFiles };
