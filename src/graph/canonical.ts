// A canonical, deterministic text encoding of configuration values for keys: object keys sorted,
// class instances tagged with their class name, functions/classes by name (their code is covered
// by the bundle digest), cycles cut. Two configs encode equal exactly when they mean the same.

export function canonical(value: unknown, skip: ReadonlySet<string> = new Set()): string {
  const seen = new Set<object>();
  const enc = (v: unknown, top: boolean): string => {
    switch (typeof v) {
      case 'undefined':
        return 'u';
      case 'boolean':
        return v ? 't' : 'f';
      case 'number':
        return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v);
      case 'bigint':
        return `${v}n`;
      case 'string':
        return JSON.stringify(v);
      case 'symbol':
        return `sym(${v.description ?? ''})`;
      case 'function':
        return `fn(${(v as { name?: string }).name ?? ''})`;
      case 'object': {
        if (v === null) return 'null';
        if (seen.has(v)) return 'cycle';
        seen.add(v);
        let s: string;
        if (Array.isArray(v)) s = `[${v.map((x) => enc(x, false)).join(',')}]`;
        else if (ArrayBuffer.isView(v)) s = `${v.constructor.name}[${Array.from(v as unknown as ArrayLike<number>).join(',')}]`;
        else if (v instanceof Date) s = `Date(${v.toISOString()})`;
        else if (v instanceof Map) s = `Map{${[...v.entries()].map(([k, x]) => `${enc(k, false)}:${enc(x, false)}`).sort().join(',')}}`;
        else if (v instanceof Set) s = `Set{${[...v].map((x) => enc(x, false)).sort().join(',')}}`;
        else if (v instanceof RegExp) s = `RegExp(${String(v)})`;
        else {
          const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
          const cls = proto === null || proto === Object.prototype ? '' : (proto.constructor?.name ?? '?');
          const keys = Object.keys(v).filter((k) => !(top && skip.has(k))).sort();
          const rec = v as Record<string, unknown>;
          s = `${cls}{${keys.map((k) => `${JSON.stringify(k)}:${enc(rec[k], false)}`).join(',')}}`;
        }
        seen.delete(v);
        return s;
      }
    }
  };
  return enc(value, true);
}
