// The schema check's cache in the build's store: a local file's digest is taken from its digest
// record while (size, mtime, inode) still match (never hashed here, nothing written before the
// check passed). A remote input's digest is its last recorded one (remote records: ino -1), not
// re-checked here (that is a network stat; planning makes it right after): a no-op build over
// remote inputs reads nothing; a file changed on the server is read again by its chunk.
import { statSync } from 'node:fs';
import type { Store } from '../store/store.js';
import type { SchemaCache, TreeSchema } from './check.js';

export function storeSchemaCache(store: Store): SchemaCache {
  return {
    digestOf(file) {
      const rec = store.getDigest(file);
      if (rec === undefined) return null;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return rec.ino === -1 ? rec.hash : null;
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
