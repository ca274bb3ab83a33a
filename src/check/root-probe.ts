// Does a ROOT output open? First the header (catches truncation without parsing anything), then
// the reader opens the file, lists its keys and reads every tree's and histogram's metadata, so a
// damaged keys list, StreamerInfo or object record is caught. Event data is not read.
import { readRootHeader } from './root-header.js';
import { openRootFile } from '../root/read/index.js';
import { RootError } from '../root/errors.js';
import { RNTupleReader, RNTUPLE_CLASS } from '../root/rntuple/reader.js';
import { fail, ok, type Result } from '../util/result.js';

/** Injected so that tests and other callers can swap the depth of the check. */
export type RootProbe = (path: string) => Promise<Result<void>>;

export const headerProbe: RootProbe = async (path) => {
  const h = readRootHeader(path);
  return h.ok ? ok(undefined) : h;
};

const TREE_CLASSES = new Set(['TTree', 'TNtuple', 'TNtupleD']);

export const defaultProbe: RootProbe = async (path) => {
  const h = readRootHeader(path);
  if (!h.ok) return h;
  let f;
  try {
    f = await openRootFile(path);
  } catch (err) {
    return fail(rootFailure(err, path));
  }
  try {
    for (const k of f.keys()) {
      if (TREE_CLASSES.has(k.className)) await f.tree(`${k.path};${k.cycle}`);
      else if (/^TH[12][FD]$/.test(k.className)) await f.hist(`${k.path};${k.cycle}`);
      else if (k.className === RNTUPLE_CLASS) await RNTupleReader.open(f, `${k.path};${k.cycle}`); // anchor, envelopes, page lists
    }
    return ok(undefined);
  } catch (err) {
    return fail(rootFailure(err, path));
  } finally {
    f.close();
  }
};

function rootFailure(err: unknown, path: string): { file: string; object?: string; reason: string } {
  if (err instanceof RootError) return { file: err.file || path, object: err.object || undefined, reason: err.reason };
  return { file: path, reason: (err as Error).message };
}
