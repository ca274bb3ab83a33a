// WLCG bearer token discovery (the part heppy uses): BEARER_TOKEN holds the token itself,
// BEARER_TOKEN_FILE names a file holding it. Read at each open, so a renewed token is picked up.
// The token is only ever put in a request: never in an error, a log or a cache key.
import { readFileSync } from 'node:fs';

export function bearerToken(env: NodeJS.ProcessEnv = process.env): string | null {
  const direct = env.BEARER_TOKEN?.trim();
  if (direct) return direct;
  const file = env.BEARER_TOKEN_FILE;
  if (file) {
    try {
      const t = readFileSync(file, 'utf8').trim();
      if (t !== '') return t;
    } catch { /* an unreadable token file is like no token: the server will say it is denied */ }
  }
  return null;
}
