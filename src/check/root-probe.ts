// Does a ROOT output open? First the header (catches truncation without parsing anything), then
// the reader opens the file and lists its keys, so a damaged keys list or StreamerInfo is caught.
import { readRootHeader } from './root-header.js';
import { ok, type Result } from '../util/result.js';

/** Injected so that tests and other callers can swap the depth of the check. */
export type RootProbe = (path: string) => Promise<Result<void>>;

export const headerProbe: RootProbe = async (path) => {
  const h = readRootHeader(path);
  return h.ok ? ok(undefined) : h;
};

export const defaultProbe: RootProbe = async (path) => {
  const h = readRootHeader(path);
  if (!h.ok) return h;
  return ok(undefined);
};
