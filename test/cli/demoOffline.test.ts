// `npm run demo` on a fresh clone: no ../shared beside it, SEMANTIC_NOTES_MODELS unset, an empty
// cache, and no network. The demo must index examples/notes with the bundled default model and
// find notes by meaning in English and Korean, without a single connection attempt.
//
// Network: the demo runs in a new network namespace (`unshare -n`, or `unshare -rn` when not
// root), where only a down loopback exists, so any request fails. On top of that (and alone
// where no namespace may be made) a --require preload in every Node process records every socket
// connect, DNS lookup and fetch and then makes it throw; the test asserts that record is empty.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tmpDir } from '../helpers/env';

const PRELOAD = `
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const log = process.env.SN_NET_LOG;
function refuse(what) {
  fs.appendFileSync(log, process.pid + ' ' + what + '\\n');
  throw new Error('network blocked by the demo test: ' + what);
}
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const o = args[0];
  // Local IPC (a path) is not the network.
  if ((o && typeof o === 'object' && o.path) || (typeof o === 'string' && isNaN(Number(o)))) return connect.apply(this, args);
  refuse('connect ' + JSON.stringify(o && typeof o === 'object' ? { host: o.host, port: o.port } : args.slice(0, 2)));
};
dns.lookup = (host) => refuse('dns.lookup ' + host);
dns.promises.lookup = async (host) => refuse('dns.promises.lookup ' + host);
globalThis.fetch = async (url) => refuse('fetch ' + String(url));
`;

/** The parts of the checkout a user's clone has after `npm ci && npm run build`. */
function freshClone(): string {
  const parent = tmpDir('sn-clone-');
  const clone = path.join(parent, 'semantic-notes');
  fs.mkdirSync(clone);
  for (const p of ['package.json', 'scripts', 'examples', 'models', path.join('out', 'src')]) fs.cpSync(path.join(repoRoot, p), path.join(clone, p), { recursive: true });
  // Installed dependencies are the same on any clone: link them instead of copying 400 MB.
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
  assert.ok(!fs.existsSync(path.join(parent, 'shared')), 'no ../shared beside the clone');
  return clone;
}

function namespacePrefix(): string[] {
  for (const prefix of [['unshare', '-n'], ['unshare', '-rn']]) {
    const r = spawnSync(prefix[0], [...prefix.slice(1), 'true']);
    if (r.status === 0) return prefix;
  }
  return [];
}

/** The result lines printed under each `$ semantic-notes search <query> … --mode <mode>` header. */
function sections(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of out.split('\n')) {
    const h = /^\$ semantic-notes search (.+?) --store \S+ --mode (\w+)/.exec(line);
    if (h) map.set(`${h[2]}:${h[1].replace(/^"(.*)"$/, '$1')}`, (current = []));
    else if (line.startsWith('$ ')) current = null;
    else if (current && /^\d+\.\d+ {2}\S/.test(line)) current.push(line);
  }
  return map;
}

test('npm run demo on a fresh clone: offline, nothing configured, English and Korean queries find the right notes by meaning', () => {
  const clone = freshClone();
  const home = tmpDir('sn-home-');
  const netLog = path.join(tmpDir('sn-net-'), 'requests.log');
  fs.writeFileSync(netLog, '');
  const preload = path.join(home, 'block-network.js');
  fs.writeFileSync(preload, PRELOAD);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SEMANTIC_NOTES_') && !k.startsWith('HF_') && k !== 'NODE_OPTIONS') env[k] = v;
  Object.assign(env, {
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    SEMANTIC_NOTES_CACHE: path.join(home, 'model-cache'),
    NODE_OPTIONS: `--require ${preload}`,
    SN_NET_LOG: netLog,
  });
  const prefix = namespacePrefix();
  const cmd = [...prefix, process.execPath, path.join(clone, 'scripts', 'demo.js')];
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: clone, env, encoding: 'utf8', timeout: 300_000 });
  const how = prefix.length ? `${prefix.join(' ')} + a preload that refuses connections` : 'a preload that refuses connections (no network namespace allowed here)';
  console.log(`# network blocked with: ${how}`);
  assert.equal(r.status, 0, `demo failed (${how}):\n${r.stdout}\n${r.stderr}`);
  assert.equal(fs.readFileSync(netLog, 'utf8'), '', 'no network request was attempted');
  assert.match(r.stdout, /Indexed 11 files \(\d+ passages, \d+ embedded now\)/);
  // The index was built with the bundled routed default, not a keyword-only fallback.
  const stores = fs.readdirSync(path.join(clone, '.store', 'demo'));
  assert.ok(stores.some((s) => s.includes('bilingual-static')), stores.join(', '));
  assert.ok(!fs.existsSync(path.join(home, 'model-cache')) || fs.readdirSync(path.join(home, 'model-cache')).length === 0, 'nothing downloaded into the cache');
  const found = sections(r.stdout);
  const expected: [string, string][] = [
    ['how do I undo a commit', 'dev/git.md'],
    ['baking bread at home', 'cooking/bread.md'],
    ['기차 여행', 'korean/travel-busan.md'],
    ['매운 찌개 만드는 방법', 'korean/kimchi.md'],
  ];
  for (const [query, file] of expected) {
    const semantic = found.get(`semantic:${query}`);
    assert.ok(semantic && semantic.length === 3, `semantic results for ${query}:\n${r.stdout}`);
    assert.ok(semantic[0].includes(`  ${file}:`), `${query} → ${semantic[0]}`);
    // Korean queries meet Korean notes, English queries English ones, in the top 3.
    const korean = /[가-힣]/.test(query);
    for (const line of semantic) assert.equal(line.includes('  korean/'), korean, `${query} → ${line}`);
  }
});
