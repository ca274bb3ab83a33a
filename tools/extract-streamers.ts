// Developer tool (not used at run time, so outside src/): extracts ROOT's own TStreamerInfo
// records from ROOT/uproot-written files and stores them, split into self-contained pieces, in
// src/root/write/streamer-data.ts. The records are facts of the file format; the writer
// re-serialises them with fresh class tags (see src/root/write/streamers.ts).
// Regenerate with `npm run gen:streamers` (the files and classes are in package.json), or:
//   node dist/tools/extract-streamers.js -o OUT.ts MAIN.root [EXTRA.root:Class,Class …]
// MAIN gives all its records; each EXTRA adds the named classes not yet present, in its file's order.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const kByteCountMask = 0x40000000;
const kClassMask = 0x80000000;
const kNewClassTag = 0xffffffff;

interface Piece { cls: string; bytes: string }
interface Record { name: string; named: string; checksum: number; classVersion: number; elements: Piece[] }

function rawStreamerInfo(path: string): { data: Buffer; keylen: number } {
  const f = readFileSync(path);
  const version = f.readUInt32BE(4);
  const big = version >= 1000000;
  const seekInfo = big ? Number(f.readBigUInt64BE(4 + 4 + 4 + 8 + 8 + 4 + 4 + 4 + 1 + 4)) : f.readUInt32BE(4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 1 + 4);
  const nbytes = f.readInt32BE(seekInfo);
  const objlen = f.readInt32BE(seekInfo + 6);
  const keylen = f.readInt16BE(seekInfo + 14);
  const body = f.subarray(seekInfo + keylen, seekInfo + nbytes);
  if (nbytes - keylen === objlen) return { data: Buffer.from(body), keylen };
  const parts: Buffer[] = [];
  let p = 0;
  while (p < body.length) {
    const alg = body.toString('latin1', p, p + 2);
    const csize = body[p + 3]! | (body[p + 4]! << 8) | (body[p + 5]! << 16);
    if (alg !== 'ZL') throw new Error(`${path}: StreamerInfo compressed with ${alg}, pick a zlib file`);
    parts.push(inflateSync(body.subarray(p + 9, p + 9 + csize)));
    p += 9 + csize;
  }
  return { data: Buffer.concat(parts), keylen };
}

export function parse(path: string): Record[] {
  const { data, keylen } = rawStreamerInfo(path);
  let p = 0;
  const classAt = new Map<number, string>();
  const u32 = () => { const v = data.readUInt32BE(p); p += 4; return v; };
  const u16 = () => { const v = data.readUInt16BE(p); p += 2; return v; };
  const str = () => { let n = data[p++]!; if (n === 255) n = u32(); const s = data.toString('latin1', p, p + n); p += n; return s; };
  const tobject = () => { u16(); u32(); const bits = u32(); if (bits & (1 << 4)) u16(); };
  const objHeader = (): { cls: string; end: number } => {
    const start = p;
    const bc = u32();
    if (!(bc & kByteCountMask)) throw new Error(`no byte count at ${start}`);
    const end = start + 4 + (bc & ~kByteCountMask);
    const tagPos = p;
    const tag = u32();
    let cls: string;
    if (tag === kNewClassTag) {
      const z = data.indexOf(0, p);
      cls = data.toString('latin1', p, z);
      p = z + 1;
      classAt.set(tagPos + keylen + 2, cls);
    } else if (tag & kClassMask) {
      const c = classAt.get((tag & ~kClassMask) >>> 0);
      if (c === undefined) throw new Error(`unknown class ref ${tag}`);
      cls = c;
    } else throw new Error(`object reference where an object was expected at ${tagPos}`);
    return { cls, end };
  };
  // TList
  u32(); u16(); tobject(); str();
  const n = u32();
  const out: Record[] = [];
  for (let i = 0; i < n; i++) {
    const { cls, end } = objHeader();
    if (cls === 'TStreamerInfo') {
      u32(); u16(); // TStreamerInfo bc + version
      const namedStart = p;
      const namedBc = data.readUInt32BE(p) & ~kByteCountMask;
      p += 4 + namedBc;
      const named = data.subarray(namedStart, p);
      p += 6; // TNamed: skip re-read, get name from jsroot-free parse below
      p = namedStart + 4 + 2; tobject(); const name = str(); str();
      const checksum = u32();
      const classVersion = data.readInt32BE(p); p += 4;
      const arr = objHeader();
      u32(); u16(); tobject(); str();
      const ne = u32(); u32();
      const elements: Piece[] = [];
      for (let j = 0; j < ne; j++) {
        const el = objHeader();
        const bytesStart = p;
        elements.push({ cls: el.cls, bytes: data.subarray(bytesStart, el.end).toString('base64') });
        p = el.end;
      }
      p = arr.end;
      out.push({ name, named: Buffer.from(named).toString('base64'), checksum, classVersion, elements });
    }
    p = end;
    const optLen = data[p++]!;
    p += optLen;
  }
  return out;
}

/** The records of `mainFile`, then from each `FILE:Class,Class` extra the named classes not yet present. */
export function extractRecords(mainFile: string, extras: string[]): Record[] {
  const records = parse(mainFile);
  for (const spec of extras) {
    const at = spec.lastIndexOf(':');
    if (at <= 0) throw new Error(`${spec}: expected FILE.root:Class,Class`);
    const want = new Set(spec.slice(at + 1).split(','));
    for (const r of parse(spec.slice(0, at))) if (want.has(r.name) && !records.some((x) => x.name === r.name)) records.push(r);
  }
  return records;
}

/** The text of streamer-data.ts: a header naming the sources (base names), then the records. */
export function renderModule(records: Record[], mainFile: string, extras: string[]): string {
  const sources = [basename(mainFile), ...extras.map((e) => basename(e))].join(' ');
  return '// Generated by tools/extract-streamers.ts (npm run gen:streamers) from ROOT- and uproot-written files\n' +
    '// of ../shared/data/root: ROOT\'s own TStreamerInfo records (facts of the format). named = TNamed bytes,\n' +
    '// elements = TStreamerElement objects without their class tags (base64). Do not edit by hand.\n' +
    `// Sources: ${sources}\n` +
    'export interface StreamerPiece { cls: string; bytes: string }\n' +
    'export interface StreamerRecord { name: string; named: string; checksum: number; classVersion: number; elements: StreamerPiece[] }\n' +
    'export const streamerRecords: StreamerRecord[] = ' + JSON.stringify(records, null, 1) + ';\n';
}

function main(argv: string[]): void {
  const o = argv.indexOf('-o');
  const out = o >= 0 ? argv[o + 1] : undefined;
  const args = o >= 0 ? [...argv.slice(0, o), ...argv.slice(o + 2)] : argv;
  const [mainFile, ...extras] = args;
  if (!mainFile || (o >= 0 && !out)) throw new Error('usage: extract-streamers [-o OUT.ts] MAIN.root [EXTRA.root:Class,Class …]');
  const text = renderModule(extractRecords(mainFile, extras), mainFile, extras);
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  // Whole or not at all: a failed run must not leave a truncated streamer-data.ts.
  writeFileSync(`${out}.tmp`, text);
  renameSync(`${out}.tmp`, out);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
