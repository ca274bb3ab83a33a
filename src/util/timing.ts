// HEPPY_TIMING=1: one stderr line per phase of a command past planning (the build's run and close),
// in session.ts's format: the phase's wall time and this process's CPU (user + system), and the
// time since the process started. For benchmarks (bench/README.md); off, it costs one test.
import { envFlag } from './env.js';

const on = envFlag('HEPPY_TIMING') === true;
let last = -1;
let lastCpu: NodeJS.CpuUsage | null = null;

/** Ends the phase `name` begun at the last mark (the first mark only starts the clock). */
export function timingMark(name: string): void {
  if (!on) return;
  const now = performance.now();
  if (last >= 0 && lastCpu !== null) {
    const cpu = process.cpuUsage(lastCpu);
    process.stderr.write(`[timing] ${name}: ${(now - last).toFixed(1)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms (since start ${now.toFixed(0)} ms)\n`);
  }
  last = now;
  lastCpu = process.cpuUsage();
}
