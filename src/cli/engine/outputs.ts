// Recorded outputs of a node, checked against the disk.
import { statSync } from 'node:fs';
import type { OutputRecord } from '../../store/records.js';

/** The first difference between the recorded outputs and the disk, or null when intact. */
export function outputsChanged(dir: string, outputs: readonly OutputRecord[]): string | null {
  for (const o of outputs) {
    let st;
    try {
      st = statSync(dir + '/' + o.path);
    } catch {
      return `output missing: ${o.path}`;
    }
    if (st.size !== o.size || st.mtimeMs !== o.mtimeMs) return `output changed: ${o.path}`;
  }
  return null;
}
