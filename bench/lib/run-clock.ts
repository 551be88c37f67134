import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Linux's USER_HZ, the unit of a process's start time in /proc (`getconf CLK_TCK`): 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Seconds since `npm run bench` began. Under npm, the tools check and the build ran before this
 * process, in the same script: its parent (npm's shell, or npm itself) started with the run, and
 * /proc says when. Run any other way, or where /proc cannot say, this process is the run.
 */
export function secondsSinceRunStarted(): number {
  const own = performance.now() / 1000;
  if (process.env.npm_lifecycle_event !== 'bench') return own;
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const seconds = uptime - startTicks / CLOCK_TICKS_PER_SECOND;
    return Number.isFinite(seconds) && seconds >= own ? seconds : own;
  } catch {
    return own;
  }
}
