// The inputs appended whole to the output (in-place.ts) during a merge: which ones, before
// anything else is written, and the patching of their basket keys as the copy passes them.
import type { RootFileWriter } from '../write/file.js';
import type { Input } from './inputs.js';
import { AppendedInput, headEnd, worthAppending, type AppendPolicy } from './in-place.js';

/**
 * Appends the inputs worth it (in-place.ts) whole to the output, before anything else is
 * written, in input order; an input whose baskets are recompressed is not among them. The output
 * starts with the first of them where its header and top directory record can hold the
 * output's (its baskets then need no patch).
 */
export function appendWhole(w: RootFileWriter, opened: Input[], recompress: boolean, policy: AppendPolicy): void {
  const target = w.compressionSetting;
  const chosen: Input[] = [];
  let at = w.position;
  for (const i of opened) {
    if (recompress && i.compress !== target) continue;
    if (!worthAppending(i.keys, i.source.size, at, policy)) continue;
    chosen.push(i);
    at += i.source.size;
  }
  if (chosen.length === 0) return;
  const head = headEnd(chosen[0]!.source);
  const over = head !== null && w.canStartWith(head) ? head : undefined;
  const bases = w.appendFiles(chosen.map((i) => i.path), chosen.map((i) => i.source.size), over);
  chosen.forEach((i, x) => { i.appended = new AppendedInput(bases[x]!, i.source.size, x === 0 && over !== undefined ? over : 0); });
}

/**
 * The end of a merge with inputs appended whole: each one's basket keys are patched as soon as
 * the copy has passed it (the copy of the next ones goes on meanwhile, in another process), so
 * that only the last one's patches follow the copy; then their unused bytes are declared free.
 * A copy that fell back to user space wrote every input anew: their patches are written again.
 */
const POLL_MS = 5;

export async function placeAppended(w: RootFileWriter, appended: AppendedInput[]): Promise<void> {
  if (appended.length === 0) return;
  let settled = false;
  const done = w.appended().finally(() => { settled = true; });
  done.catch(() => undefined); // awaited below
  for (;;) {
    const to = w.copiedTo();
    for (const a of appended) if (!a.patched && a.end <= to) a.patch(w);
    if (settled || appended.every((a) => a.patched)) break;
    // Each look at the copy's progress reads /proc (tens of µs); an input takes ~20 ms to copy per 50 MB.
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, POLL_MS))]);
  }
  const kernel = await done;
  for (const a of appended) if (!kernel || !a.patched) a.patch(w);
  for (const a of appended) a.freeUnused(w);
}
