// Minimal typings for the untyped decompression package the reader uses.
declare module 'lz4js' {
  /** Decodes one raw LZ4 block src[sIndex, sIndex+sLength) into dst from dIndex; returns the end index. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}
