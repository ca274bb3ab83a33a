// The slice of jsroot's object model the reader uses. jsroot ships no types, so the
// objects it returns are described here and checked where the reader depends on them.
// @ts-ignore jsroot has no type declarations for its modules
import { openFile as jsrootOpenFile } from 'jsroot';

export interface JsArr<T> { arr: (T | null)[] }

export interface JsKey { fName: string; fClassName: string; fCycle: number; fTitle: string; fSeekKey: number; fNbytes: number; fObjlen: number; fKeylen: number }

export interface JsLeaf {
  _typename: string; fName: string; fTitle: string; fLen: number; fLenType: number; fIsUnsigned: boolean;
  fLeafCount: JsLeaf | null; fType?: number;
}

export interface JsBuffer { arr: DataView; length: number }

export interface JsBasket {
  fKeylen: number; fNevBuf: number; fLast: number; fNevBufSize: number;
  fBufferRef?: JsBuffer; fEntryOffset?: ArrayLike<number>;
}

export interface JsBranch {
  _typename: string; fName: string; fTitle: string; fEntries: number; fWriteBasket: number;
  fEntryOffsetLen: number;
  fBasketSeek: ArrayLike<number>; fBasketBytes: ArrayLike<number>; fBasketEntry: ArrayLike<number>;
  fBaskets: JsArr<JsBasket>; fBranches: JsArr<JsBranch>; fLeaves: JsArr<JsLeaf>;
  fStreamerType?: number; fClassName?: string; fType?: number; fID?: number;
}

export interface JsTree { _typename: string; fName: string; fEntries: number; fBranches: JsArr<JsBranch> }

export interface JsAxis {
  fNbins: number; fXmin: number; fXmax: number; fXbins: ArrayLike<number>; fTitle: string;
  fLabels: JsArr<{ fString: string; fUniqueID: number }> | null;
}

export interface JsHist {
  _typename: string; fName: string; fTitle: string; fXaxis: JsAxis; fYaxis: JsAxis;
  fArray: ArrayLike<number>; fSumw2: ArrayLike<number>; fEntries: number;
  fTsumw: number; fTsumw2: number; fTsumwx: number; fTsumwx2: number;
  fTsumwy?: number; fTsumwy2?: number; fTsumwxy?: number;
  fNcells: number;
}

export interface JsStreamerElement { fName: string; fTypeName: string; fType: number }
export interface JsStreamerInfo { fName: string; fElements: JsArr<JsStreamerElement> }

export interface JsDirectory { fKeys: JsKey[] }

export interface JsFile extends JsDirectory {
  fEND: number; fVersion: number; fBEGIN: number; fCompress: number; fSeekInfo: number; fNbytesInfo: number;
  fSeekFree: number; fNbytesFree: number;
  readObject(name: string, cycle?: number): Promise<unknown>;
  readDirectory(name: string, cycle?: number): Promise<JsDirectory>;
  findStreamerInfo(clname: string, clversion?: number): JsStreamerInfo | null;
  fd?: unknown;
}

export async function jsOpen(path: string): Promise<JsFile> {
  return quiet(async () => (await jsrootOpenFile(path)) as JsFile);
}

/**
 * Runs a jsroot call with its console chatter ("Missmatch in …", "Fail to UNZIP …")
 * muted: heppy reports problems as RootErrors instead, in one line.
 */
export async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { error: console.error, warn: console.warn, log: console.log };
  const drop = (): void => {};
  console.error = drop; console.warn = drop; console.log = drop;
  try {
    return await fn();
  } finally {
    console.error = saved.error; console.warn = saved.warn; console.log = saved.log;
  }
}
