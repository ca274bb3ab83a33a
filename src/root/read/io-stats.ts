// Bytes this process has read from ROOT files (structure and baskets): the per-chunk "bytes read"
// of the trace is the difference over the chunk's run (a worker runs one chunk at a time).
let total = 0;

export function countRead(n: number): void {
  total += n;
}

export function bytesReadSoFar(): number {
  return total;
}
