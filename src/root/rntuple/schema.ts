// From the RNTuple field tree to the branches an analysis sees, in the same terms as a TTree
// (src/root/types.ts BranchInfo): numeric leaves (flat, fixed arrays), collections of numeric
// leaves (jagged, with offsets from the collection's index column), collection sizes
// (RNTupleCardinality and collections of records), top-level std::string fields (string columns).
import type { BranchInfo, NumType } from '../types.js';
import { FIELD_REPETITIVE, Role, type Descriptor, type FieldDesc } from './descriptor.js';
import { columnType } from './columns.js';

export type Plan =
  /** Values of a leaf field; `collection` (when set) gives the per-entry offsets; `repeat` values per element (fixed arrays). */
  | { kind: 'leaf'; info: BranchInfo; field: FieldDesc; collection: FieldDesc | null; repeat: number }
  /** Per-entry sizes of a collection (from its index column). */
  | { kind: 'sizes'; info: BranchInfo; collection: FieldDesc }
  | { kind: 'string'; info: BranchInfo; field: FieldDesc }
  | { kind: 'unsupported'; info: BranchInfo; why: string };

export const numTypes: Record<string, NumType | undefined> = {
  bool: 'bool', char: 'i1', 'std::byte': 'u1', 'std::int8_t': 'i1', 'std::uint8_t': 'u1',
  'std::int16_t': 'i2', 'std::uint16_t': 'u2', 'std::int32_t': 'i4', 'std::uint32_t': 'u4',
  'std::int64_t': 'i8', 'std::uint64_t': 'u8', float: 'f4', double: 'f8',
  // Pre-normalisation spellings some writers used.
  int8_t: 'i1', uint8_t: 'u1', int16_t: 'i2', uint16_t: 'u2', int32_t: 'i4', uint32_t: 'u4', int64_t: 'i8', uint64_t: 'u8',
};

const CARDINALITY = /^ROOT::RNTupleCardinality<(std::uint32_t|std::uint64_t)>$/;

interface Ctx { collection: FieldDesc | null; repeat: number }

/** Every readable name of an RNTuple, with how to read it. Projected fields are included. */
export function planFields(d: Descriptor): Plan[] {
  const p = new Planner(d);
  for (const f of d.fields) if (f.parentId === f.id) p.visit(f, { collection: null, repeat: 1 });
  return p.out;
}

/** Walks the field tree depth first, collecting the plans in field order. */
class Planner {
  readonly out: Plan[] = [];
  constructor(private readonly d: Descriptor) {}

  private unsupported(f: FieldDesc, why: string): void {
    this.out.push({ kind: 'unsupported', info: { name: f.path, type: null, shape: 'other', typename: f.type }, why });
  }

  visit(f: FieldDesc, ctx: Ctx): void {
    switch (f.role) {
      case Role.Leaf: return this.visitLeaf(f, ctx);
      case Role.Record:
        for (const c of f.children) this.visit(this.d.fields[c]!, ctx);
        return;
      case Role.Collection: return this.visitCollection(f, ctx);
      case Role.Variant: return this.unsupported(f, 'std::variant fields are not read as columns');
      case Role.Streamer: return this.unsupported(f, 'fields streamed with the ROOT streamer are not read as columns');
      default: return this.unsupported(f, `unknown structural role ${f.role}`);
    }
  }

  private visitCollection(f: FieldDesc, ctx: Ctx): void {
    const d = this.d;
    if (ctx.collection !== null) return this.unsupported(f, `a collection inside a collection (${ctx.collection.path}) is not read as a column`);
    if (ctx.repeat !== 1) return this.unsupported(f, 'a collection inside a fixed-size array is not read as a column');
    if (f.columns.length === 0) return this.unsupported(f, 'collection without an index column');
    const only = f.children.length === 1 ? d.fields[f.children[0]!]! : null;
    const leafType = only !== null && only.role === Role.Leaf && only.children.length === 0 && !(only.flags & FIELD_REPETITIVE) ? numTypes[only.type] : undefined;
    if (only !== null && leafType !== undefined && only.columns.length > 0) {
      // std::vector<T> / RVec<T>: the collection's own name gives its values, as a TTree's vector branch.
      this.out.push({ kind: 'leaf', info: { name: f.path, type: leafType, shape: 'jagged', typename: f.type }, field: only, collection: f, repeat: 1 });
    } else {
      this.out.push({ kind: 'sizes', info: { name: f.path, type: 'u4', shape: 'scalar', typename: f.type }, collection: f });
    }
    for (const c of f.children) this.visit(d.fields[c]!, { collection: f, repeat: 1 });
  }

  private visitLeaf(f: FieldDesc, ctx: Ctx): void {
    const card = CARDINALITY.exec(f.type);
    if (card !== null) {
      if (ctx.collection !== null || ctx.repeat !== 1) return this.unsupported(f, 'a cardinality field inside a collection is not read as a column');
      if (f.columns.length === 0) return this.unsupported(f, 'cardinality field without a column');
      this.out.push({ kind: 'sizes', info: { name: f.path, type: card[1] === 'std::uint64_t' ? 'u8' : 'u4', shape: 'scalar', typename: f.type }, collection: f });
      return;
    }
    if (f.type === 'std::string') {
      if (ctx.collection !== null || ctx.repeat !== 1) return this.unsupported(f, 'strings inside collections are not read as columns');
      this.out.push({ kind: 'string', info: { name: f.path, type: null, shape: 'other', typename: f.type, strings: 'scalar' }, field: f });
      return;
    }
    if (f.flags & FIELD_REPETITIVE && f.children.length === 1) {
      // std::array<T, N> (no columns of its own): its element field, N values per parent element.
      const child = this.d.fields[f.children[0]!]!;
      const t = numTypes[child.type];
      if (t === undefined || child.children.length > 0 || child.columns.length === 0) return this.unsupported(f, `arrays of ${child.type} are not read as columns`);
      return this.pushLeaf(f.path, f.type, t, child, ctx, f.arraySize);
    }
    if (f.children.length === 1 && f.columns.length === 0) {
      // Enums and std::atomic<T>: the value lives in the single sub-field.
      const child = this.d.fields[f.children[0]!]!;
      const t = numTypes[child.type];
      if (t === undefined || child.columns.length === 0) return this.unsupported(f, `type ${f.type} is not read as a column`);
      return this.pushLeaf(f.path, f.type, t, child, ctx, 1);
    }
    const t = numTypes[f.type];
    if (t === undefined) return this.unsupported(f, `type ${f.type || '(untyped)'} is not read as a column`);
    if (f.columns.length === 0) return this.unsupported(f, 'leaf field without a column');
    const n = f.flags & FIELD_REPETITIVE ? f.arraySize : 1; // std::bitset<N>
    this.pushLeaf(f.path, f.type, t, f, ctx, n);
  }

  private pushLeaf(name: string, typename: string, t: NumType, field: FieldDesc, ctx: Ctx, n: number): void {
    const repeat = ctx.repeat * n;
    for (const id of field.columns) {
      const ct = columnType(this.d.columns[id]!.type, this.d.columns[id]!);
      if (typeof ct === 'string') return this.unsupported(field, ct);
    }
    if (ctx.collection !== null) {
      if (repeat !== 1) return this.unsupported(field, 'fixed-size arrays inside collections are not read as columns');
      this.out.push({ kind: 'leaf', info: { name, type: t, shape: 'jagged', typename }, field, collection: ctx.collection, repeat });
      return;
    }
    const info: BranchInfo = repeat === 1 ? { name, type: t, shape: 'scalar', typename } : { name, type: t, shape: 'fixed', size: repeat, typename };
    this.out.push({ kind: 'leaf', info, field, collection: null, repeat });
  }
}
