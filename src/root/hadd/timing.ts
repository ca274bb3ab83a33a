// HEPPY_TIMING=1: where a merge's time goes, phase by phase, on stderr (wall time from the process
// start, and this process's CPU, user and system apart, in each phase). For bench/README.md's budget
// of `heppy root merge`; costs nothing when off.
import { envFlag } from '../../util/env.js';

const on = envFlag('HEPPY_TIMING') === true;
let last = 0;
let lastCpu = { user: 0, system: 0 };

/** Ends a phase named `name`: prints its wall time and CPU, and the time since the process started. */
export function mark(name: string): void {
  if (!on) return;
  const now = performance.now(), cpu = process.cpuUsage();
  process.stderr.write(`[timing] ${name}: ${(now - last).toFixed(1)} ms, CPU user ${((cpu.user - lastCpu.user) / 1000).toFixed(1)} sys ${((cpu.system - lastCpu.system) / 1000).toFixed(1)} ms (at ${now.toFixed(0)} ms)\n`);
  last = now;
  lastCpu = cpu;
}
