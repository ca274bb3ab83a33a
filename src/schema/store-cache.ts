// The schema check's cache in the build's store: a local file's digest is taken from its digest
// record while (size, mtime, inode) still match (never hashed here, nothing written before the
// check passed). A remote input's digest is its last recorded one (remote records: ino -1), not
// re-checked here (that is a network stat): a no-op build over remote inputs reads nothing;
// `confirmSchemas` re-checks after planning when the digest planning got differs.
import { statSync } from 'node:fs';
import type { Store } from '../store/store.js';
import type { SchemaCache, TreeSchema } from './check.js';

export function isRemote(file: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(file);
}

/** `planned`: the digests planning computed (after it), which win over the store's records. */
export function storeSchemaCache(store: Store, planned?: ReadonlyMap<string, string>): SchemaCache {
  return {
    digestOf(file) {
      const p = planned?.get(file);
      if (p !== undefined) return p;
      const rec = store.getDigest(file);
      if (rec === undefined) return null;
      if (isRemote(file)) return rec.ino === -1 ? rec.hash : null;
      const st = statSync(file, { throwIfNoEntry: false });
      return st !== undefined && st.size === rec.size && st.mtimeMs === rec.mtimeMs && st.ino === rec.ino ? rec.hash : null;
    },
    get(digest, tree) {
      const text = store.getSchema(digest, tree);
      if (text === undefined) return undefined;
      try {
        const v = JSON.parse(text) as TreeSchema;
        return Array.isArray(v.branches) ? v : undefined;
      } catch {
        return undefined;
      }
    },
    put(digest, tree, schema) {
      void store.putSchema(digest, tree, JSON.stringify(schema));
    },
  };
}
