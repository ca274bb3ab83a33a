// Wire facts of the XRootD protocol (version 5, "The XRootD Protocol" specification): request and
// response codes, the 24-byte request header, the 8-byte response header, option bits.
// Everything is big-endian ("network byte order").

export const REQ = {
  auth: 3000, query: 3001, close: 3003, dirlist: 3004, protocol: 3006, login: 3007,
  open: 3010, ping: 3011, read: 3013, stat: 3017, readv: 3025,
} as const;

export const STATUS = {
  ok: 0, oksofar: 4000, attn: 4001, authmore: 4002, error: 4003, redirect: 4004, wait: 4005, waitresp: 4006, status: 4007,
} as const;

/** kXR_attn action code: a response deferred by kXR_waitresp arrives inside it. */
export const ATTN_ASYNRESP = 5008;

export const ERR = {
  ArgInvalid: 3000, ArgMissing: 3001, ArgTooLong: 3002, FileLocked: 3003, FileNotOpen: 3004, FSError: 3005,
  InvalidRequest: 3006, IOError: 3007, NoMemory: 3008, NoSpace: 3009, NotAuthorized: 3010, NotFound: 3011,
  ServerError: 3012, Unsupported: 3013, noserver: 3014, NotFile: 3015, isDirectory: 3016, Cancelled: 3017,
  ChkLenErr: 3018, ChkSumErr: 3019, inProgress: 3020, overQuota: 3021, SigVerErr: 3022, DecryptErr: 3023,
  Overloaded: 3024, fsReadOnly: 3025, BadPayload: 3026, AttrNotFound: 3027, TLSRequired: 3028,
  noReplicas: 3029, AuthFailed: 3030, Impossible: 3031, Conflict: 3032, TooManyErrs: 3033,
  ReqTimedOut: 3034, TimerExpired: 3035,
} as const;

export const OPEN_READ = 0x0010;
export const OPEN_RETSTAT = 0x0400;
export const STAT_IS_DIR = 2;
export const STAT_OTHER = 4;
export const STAT_OFFLINE = 8;
export const DIRLIST_DSTAT = 2;
export const QUERY_CKSUM = 3;

/** The client's protocol version sent in kXR_protocol (5.2.0). */
export const CLIENT_PV = 0x00000520;
/** kXR_login capver: protocol level 5 of the login exchange. */
export const LOGIN_CAPVER = 5;

/** kXR_readv limits of the protocol: elements per request and bytes per element. */
export const READV_MAX_ELEMENTS = 1024;
export const READV_MAX_ELEMENT = 2097136;

export const HANDSHAKE = (() => {
  const b = Buffer.alloc(20);
  b.writeInt32BE(0, 0); b.writeInt32BE(0, 4); b.writeInt32BE(0, 8); b.writeInt32BE(4, 12); b.writeInt32BE(2012, 16);
  return b;
})();

/** A request: 2-byte stream id, request code, 16 parameter bytes, data length, data. */
export function encodeRequest(sid: number, code: number, params: Buffer, data: Buffer | null): Buffer {
  const b = Buffer.alloc(24 + (data?.length ?? 0));
  b.writeUInt16BE(sid, 0);
  b.writeUInt16BE(code, 2);
  params.copy(b, 4, 0, 16);
  b.writeInt32BE(data?.length ?? 0, 20);
  if (data) data.copy(b, 24);
  return b;
}

/** The stat line "id size flags mtime [...]" of kXR_stat, kXR_open(retstat) and kXR_dirlist(dstat). */
export interface XrdStat { size: number; flags: number; mtime: number }

export function parseStat(text: string): XrdStat | null {
  const f = text.replace(/\0.*$/s, '').trim().split(/\s+/);
  if (f.length < 4) return null;
  const size = Number(f[1]), flags = Number(f[2]), mtime = Number(f[3]);
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isFinite(flags) || !Number.isFinite(mtime)) return null;
  return { size, flags, mtime };
}

export function errorName(code: number): string {
  for (const [k, v] of Object.entries(ERR)) if (v === code) return `kXR_${k}`;
  return `error ${code}`;
}
