// A cheap integrity check of a ROOT file from its 64-byte header: the magic, and that the
// recorded end of file (fEND) and StreamerInfo record lie inside the file. A file cut short
// (a job killed during a copy, a full disk) fails here before any object is read.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { fail, ok, type Result } from '../util/result.js';

export interface RootHeader {
  version: number;
  begin: number;
  end: number;
  seekInfo: number;
  nbytesInfo: number;
  fileSize: number;
}

export function readRootHeader(path: string): Result<RootHeader> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return fail({ file: path, reason: `cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
  }
  try {
    const fileSize = fstatSync(fd).size;
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, 64, 0);
    if (n < 4 || buf.toString('latin1', 0, 4) !== 'root') {
      return fail({ file: path, reason: n === 0 ? 'empty file' : 'not a ROOT file (no "root" magic)' });
    }
    // Small files use 32-bit seeks; version >= 1000000 marks 64-bit seeks (ROOT's TFile::Init).
    const version = buf.readInt32BE(4);
    const big = version >= 1_000_000;
    const need = big ? 4 + 4 + 4 + 8 + 8 + 4 + 4 + 4 + 1 + 4 + 8 + 4 : 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 1 + 4 + 4 + 4;
    if (n < need) return fail({ file: path, reason: `truncated header (${n} of ${need} bytes)` });
    const begin = buf.readInt32BE(8);
    let end: number, seekInfo: number, nbytesInfo: number;
    if (big) {
      end = Number(buf.readBigInt64BE(12));
      // fSeekFree(8) fNbytesFree(4) nfree(4) fNbytesName(4) fUnits(1) fCompress(4)
      seekInfo = Number(buf.readBigInt64BE(45));
      nbytesInfo = buf.readInt32BE(53);
    } else {
      end = buf.readInt32BE(12);
      // fSeekFree(4) fNbytesFree(4) nfree(4) fNbytesName(4) fUnits(1) fCompress(4)
      seekInfo = buf.readInt32BE(37);
      nbytesInfo = buf.readInt32BE(41);
    }
    if (end > fileSize) {
      return fail({ file: path, reason: `truncated: the header records ${end} bytes but the file has ${fileSize}` });
    }
    if (end < begin || begin < 0) return fail({ file: path, reason: `corrupt header (fBEGIN ${begin}, fEND ${end})` });
    if (seekInfo <= 0 || seekInfo + nbytesInfo > end) {
      return fail({ file: path, reason: `corrupt header: StreamerInfo at ${seekInfo}+${nbytesInfo} is outside the file (fEND ${end}); the file was not closed` });
    }
    return ok({ version, begin, end, seekInfo, nbytesInfo, fileSize });
  } catch (err) {
    return fail({ file: path, reason: `cannot read the header: ${(err as Error).message}` });
  } finally {
    closeSync(fd);
  }
}
