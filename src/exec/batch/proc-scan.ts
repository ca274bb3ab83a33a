// Processes of this user found by what they carry (Linux /proc; other users' processes cannot be
// read and are skipped): how a job whose id a killed build never journaled is found on this host —
// a -b job by its $HEPPY_JOB_NAME, an sbatch still submitting by its --job-name argument.
import { readdirSync, readFileSync } from 'node:fs';

const NUL = Buffer.from([0]);

/** Pids whose /proc/<pid>/<file> (NUL-separated) holds `entry` as one whole entry. */
export function pidsWith(file: 'environ' | 'cmdline', entry: string): number[] {
  const needle = Buffer.from(`\0${entry}\0`);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const pid of pids) {
    try {
      if (Buffer.concat([NUL, readFileSync(`/proc/${pid}/${file}`), NUL]).indexOf(needle) >= 0) out.push(Number(pid));
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return out;
}

/** The process group of a pid, or null when it is gone. */
export function processGroupOf(pid: number): number | null {
  try {
    // "pid (comm) state ppid pgrp …": comm may contain spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    return Number.isInteger(pgrp) && pgrp > 0 ? pgrp : null;
  } catch {
    return null;
  }
}
