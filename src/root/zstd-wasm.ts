// The wasm build of libzstd (@bokuweb/zstd-wasm), instantiated at most once per process for both
// the reader's decoder (read/codecs.ts) and the writer's compressor (write/compress.ts). The
// package's init() instantiates the module again on every call, so a second call while a decoder
// is in use would swap its memory: both sides go through this one promise instead.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The emscripten module's exports the reader calls directly (no copy through the package's API). */
export interface ZstdModule {
  _malloc(n: number): number; _free(p: number): void;
  _ZSTD_decompress(dst: number, dstCap: number, src: number, srcLen: number): number;
  _ZSTD_isError(code: number): number;
  HEAPU8: Uint8Array; calledRun?: boolean;
}

/** The package's compress (a frame at a level), and its raw module. */
export interface ZstdWasm { module: ZstdModule; compress(src: Uint8Array, level: number): Uint8Array }

let loading: Promise<ZstdWasm> | null = null;

/** Loads and starts the module (~20 ms CPU), once; rejects when the package or its wasm is unusable. */
export function loadZstdWasm(): Promise<ZstdWasm> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@bokuweb/zstd-wasm');
    const pkg = require(main) as { init(): Promise<void>; compress(src: Uint8Array, level: number): Uint8Array };
    const mod = (require(join(dirname(main), 'module.js')) as { Module: ZstdModule }).Module;
    if (!mod.calledRun) await pkg.init();
    return { module: mod, compress: pkg.compress };
  })();
  return loading;
}
