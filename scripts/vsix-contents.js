#!/usr/bin/env node
// Reads a .vsix (a zip) with no dependency and no `unzip` binary: its entries from the central
// directory, and any entry's bytes. As a command it prints what is inside, by top-level folder
// (node_modules by package), largest first:  node scripts/vsix-contents.js <file.vsix>
// scripts/package.sh prints this after packaging; test/host/vsix.ts checks a package with it.
'use strict';
const fs = require('node:fs');
const zlib = require('node:zlib');

/** @typedef {{ name: string, method: number, zipped: number, size: number, offset: number }} Entry */

/** Every entry of the zip at `file`, from its central directory. @returns {Entry[]} */
function listEntries(file) {
  const buf = fs.readFileSync(file);
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      method: buf.readUInt16LE(p + 10),
      zipped: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The bytes of one entry (stored or deflated). @param {Entry} entry @returns {Buffer} */
function readEntry(file, entry) {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(30);
    fs.readSync(fd, header, 0, 30, entry.offset);
    const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const data = Buffer.alloc(entry.zipped);
    fs.readSync(fd, data, 0, entry.zipped, start);
    if (entry.method === 0) return data;
    if (entry.method === 8) return zlib.inflateRawSync(data);
    throw new Error(`${entry.name}: zip method ${entry.method} is not supported`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Sizes by top-level folder of the extension (node_modules by package), largest zipped first. */
function summarize(entries) {
  const groups = new Map();
  for (const e of entries) {
    const parts = e.name.split('/');
    if (parts[0] !== 'extension' || e.name.endsWith('/')) continue;
    const rest = parts.slice(1);
    const key = rest[0] === 'node_modules' ? rest.slice(0, rest[1].startsWith('@') ? 3 : 2).join('/') : rest.length > 1 ? `${rest[0]}/` : rest[0];
    const g = groups.get(key) ?? { key, files: 0, size: 0, zipped: 0 };
    g.files++;
    g.size += e.size;
    g.zipped += e.zipped;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.zipped - a.zipped);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/vsix-contents.js <file.vsix>');
    process.exit(2);
  }
  const mb = (n) => (n / 1e6).toFixed(2).padStart(7);
  console.log('     zipped    unpacked   files  path');
  for (const g of summarize(listEntries(file))) console.log(`${mb(g.zipped)} MB  ${mb(g.size)} MB  ${String(g.files).padStart(5)}  ${g.key}`);
  const bytes = fs.statSync(file).size;
  console.log(`${file}: ${(bytes / 1e6).toFixed(2)} MB (${bytes} bytes)`);
}

module.exports = { listEntries, readEntry, summarize };
