// Whether an LMDB data file (`cache/data.mdb`) can be opened without crashing the process. LMDB
// maps the file and trusts it: a truncated file is a SIGBUS at the first read past its end, a
// garbled meta or branch page a SIGSEGV or a wrong answer. So the build checks, with a few
// preads (microseconds), what LMDB would rely on first:
// - pages 0 and 1 are meta pages: P_META flag, magic 0xBEEFC0DE, data version 2, a page size
//   that is a power of two in [512, 65536] and the same in every meta;
// - for every meta (also lmdb-js's overlapping-sync meta at half a page): its last page number
//   and its two tree roots lie inside the file (the last page against the file size);
// - in a deep check, every page reachable from the newest meta's roots has its own page number
//   and the right flag, its nodes lie inside the page, children and overflow pages inside the
//   file. The store asks for it once per change of data.mdb (open.ts keeps the size, mtime and
//   inode it last found sound or closed cleanly); otherwise only the metas are read.
// Layout (liblmdb mdb.c as vendored by lmdb-js 3, 64-bit): page header 24 bytes {pgno u64,
// txnid u64, pad u16, flags u16, lower u16, upper u16}; the meta follows it: magic u32 @24,
// version u32 @28, address @32, mapsize @40, dbs[0] (free) @48 {pad=page size u32, flags u16,
// depth u16, branch, leaf, overflow, entries, root: u64} , dbs[1] (main) @96, last_pg @144,
// txnid @152.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_META = 0x08;
const HEADER = 24;
const INVALID = -1;

/** A u64 page number as a Number (exact below 2^53); P_INVALID (all ones) as -1. */
function u64(b: Buffer, at: number): number {
  const lo = b.readUInt32LE(at), hi = b.readUInt32LE(at + 4);
  return lo === 0xffffffff && hi === 0xffffffff ? INVALID : hi * 0x100000000 + lo;
}
/** Branch pages visited at most (a store of 10,000 chunks has a few dozen). */
const MAX_BRANCH_PAGES = 1 << 20;

interface Meta {
  where: string;
  lastPg: number;
  txnid: number;
  roots: number[];
  depths: number[];
}

function readAt(fd: number, offset: number, length: number): Buffer | null {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, offset);
  return n === length ? buf : null;
}

function metaAt(b: Buffer, where: string): Meta {
  return {
    where,
    lastPg: u64(b, 144),
    txnid: u64(b, 152),
    roots: [u64(b, 88), u64(b, 136)],
    depths: [b.readUInt16LE(54), b.readUInt16LE(102)],
  };
}

/** A full meta page (0 or 1): its flag, magic and version. */
function fullMetaProblem(b: Buffer, page: number): string | null {
  if ((b.readUInt16LE(18) & P_META) === 0) return `page ${page} is not a meta page`;
  if (b.readUInt32LE(24) !== MAGIC) return `page ${page} has no LMDB magic number`;
  if ((b.readUInt32LE(28) & 0xffff) !== DATA_VERSION) return `page ${page} has LMDB data version ${b.readUInt32LE(28) & 0xffff}, not ${DATA_VERSION}`;
  return null;
}

const P_OVERFLOW = 0x04;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;

/** The problem of one page's node table, pushing branch children / checking leaf nodes; or null. */
function pageProblem(fd: number, p: Buffer, psize: number, npages: number, pg: number, level: number, queue: Array<[number, number]>): string | null {
  const flags = p.readUInt16LE(18);
  const want = level <= 1 ? P_LEAF : P_BRANCH;
  if (u64(p, 0) !== pg || (flags & (P_BRANCH | P_LEAF | P_META | P_OVERFLOW)) !== want) return 'garbled';
  if (flags & P_LEAF2) return null;                       // fixed-size duplicates: no node table
  const lower = p.readUInt16LE(20);
  const upper = p.readUInt16LE(22);
  if (lower % 2 !== 0 || lower > upper || HEADER + upper > psize) return 'garbled';
  for (let i = 0; i < lower / 2; i++) {
    const at = HEADER + p.readUInt16LE(HEADER + 2 * i);
    if (at < HEADER + lower || at + 8 > psize) return 'garbled';
    const lo = p.readUInt16LE(at), hi = p.readUInt16LE(at + 2), nflags = p.readUInt16LE(at + 4), ksize = p.readUInt16LE(at + 6);
    if (at + 8 + ksize > psize) return 'garbled';
    if (level > 1) {
      queue.push([lo + hi * 0x10000 + nflags * 0x100000000, level - 1]);
      continue;
    }
    const dsize = lo | (hi << 16);
    if (nflags & (F_SUBDATA | F_DUPDATA)) continue;          // not used by heppy's store: not followed
    if (!(nflags & F_BIGDATA)) {
      if (at + 8 + ksize + dsize > psize) return 'garbled';
      continue;
    }
    if (at + 8 + ksize + 8 > psize) return 'garbled';
    const ov = u64(p, at + 8 + ksize);
    const pages = Math.floor((HEADER - 1 + dsize) / psize) + 1;
    if (ov < 2 || ov + pages > npages) return `refers to overflow pages ${ov}..${ov + pages - 1}, outside the file`;
    const h = readAt(fd, Number(ov) * psize, HEADER);
    if (h === null || u64(h, 0) !== ov || (h.readUInt16LE(18) & P_OVERFLOW) === 0 || h.readUInt32LE(20) !== pages) return `refers to overflow page ${ov}, which is garbled`;
  }
  return null;
}

/**
 * Walks one tree from its root: branch pages always; with `deep`, the leaves too (node sizes
 * inside the page, overflow pages inside the file and marked as such). A problem, or null.
 */
function treeProblem(fd: number, psize: number, npages: number, root: number, depth: number, name: string, deep: boolean): string | null {
  if (root === INVALID) return null;
  const queue: Array<[number, number]> = [[root, depth]];
  const buf = Buffer.alloc(psize);
  let visited = 0;
  while (queue.length > 0) {
    const [pg, level] = queue.pop()!;
    if (pg < 2 || pg >= npages) return `the ${name} tree refers to page ${pg}, outside the file (${npages} pages)`;
    if (level <= 1 && !deep && pg !== root) continue;        // a leaf: read only in a deep check
    if (level > 1 && ++visited > MAX_BRANCH_PAGES) return null;
    if (readSync(fd, buf, 0, psize, pg * psize) !== psize) return `page ${pg} cannot be read`;
    const bad = pageProblem(fd, buf, psize, npages, pg, level, queue);
    if (bad) return `page ${pg} of the ${name} tree ${bad === 'garbled' ? 'is garbled' : bad}`;
  }
  return null;
}

/** Why LMDB must not open `dataFile`, or null when it looks sound (or does not exist yet: LMDB creates it). */
export function lmdbFileProblem(dataFile: string, deep = true): string | null {
  const st = statSync(dataFile, { throwIfNoEntry: false });
  if (st === undefined || st.size === 0) return null;
  if (!st.isFile()) return `${dataFile} is not a file`;
  const fd = openSync(dataFile, 'r');
  try {
    // Another process may be committing meanwhile (several share one store): LMDB writes a commit's
    // pages (growing the file) before the meta that names them, and never shrinks the file. So the
    // metas are read first and the size taken after them: a meta is then never newer than the size.
    // (A size taken before could be older than a meta read after: "truncated", wrongly.)
    const p0 = readAt(fd, 0, HEADER + 160);
    if (p0 === null) return `the file is shorter than a meta page (${fstatSync(fd).size} bytes)`;
    const bad0 = fullMetaProblem(p0, 0);
    if (bad0) return bad0;
    const psize = p0.readUInt32LE(48);
    if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0) return `page 0 gives an impossible page size ${psize}`;
    const p1 = readAt(fd, psize, HEADER + 160);
    // lmdb-js's overlapping sync keeps a third meta at half a page (zero until first used).
    const half = readAt(fd, psize / 2, HEADER + 160);
    const size = fstatSync(fd).size;
    const npages = Math.floor(size / psize);
    if (npages < 2 || p1 === null || half === null) return `the file (${size} bytes) is shorter than its two meta pages`;
    const bad1 = fullMetaProblem(p1, 1);
    if (bad1) return bad1;
    if (p1.readUInt32LE(48) !== psize) return `page 1 gives page size ${p1.readUInt32LE(48)}, page 0 ${psize}`;
    const metas = [metaAt(p0, 'meta page 0'), metaAt(p1, 'meta page 1')];
    if (u64(half, 152) !== 0) {
      if (half.readUInt32LE(48) !== psize) return `the meta at byte ${psize / 2} gives page size ${half.readUInt32LE(48)}, page 0 ${psize}`;
      metas.push(metaAt(half, `the meta at byte ${psize / 2}`));
    }
    for (const m of metas) {
      if (m.lastPg + 1 > npages) return `${m.where} says the last page is ${m.lastPg}, the file has ${npages} pages (${size} bytes): truncated`;
      for (const [i, name] of ['free-page', 'main'].entries()) {
        const root = m.roots[i]!;
        if (root !== INVALID && (root < 2 || root > m.lastPg)) return `${m.where} gives the ${name} tree root page ${root}, outside pages 2..${m.lastPg}`;
      }
    }
    // Unchanged since last found sound (`deep` false): the metas against the file size suffice.
    if (!deep) return null;
    // The trees of the newest meta (the one LMDB opens); an older snapshot's pages may be reused.
    const latest = metas.reduce((a, b) => (b.txnid > a.txnid ? b : a));
    for (const [i, name] of ['free-page', 'main'].entries()) {
      const bad = treeProblem(fd, psize, latest.lastPg + 1, latest.roots[i]!, latest.depths[i]!, name, deep);
      if (bad) return bad;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}
