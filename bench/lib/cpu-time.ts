import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) each named process has used so far; a process that cannot be read is left out. */
export type CpuTimes = Record<string, number>;

/** The processes to watch: this one is `self`; the others by pid (Linux /proc only). */
export type WatchedProcesses = Record<string, number | undefined>;

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process from /proc, in seconds; undefined where there is no /proc or no such process. */
function procCpuSeconds(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks(); // utime and stime are fields 14 and 15
  } catch {
    return undefined;
  }
}

/** A reading of every watched process, and this one as `self`. */
export function cpuTimes(watched: WatchedProcesses): CpuTimes {
  const times: CpuTimes = {};
  const self = process.cpuUsage();
  times.self = (self.user + self.system) / 1e6;
  for (const [name, pid] of Object.entries(watched)) {
    const seconds = pid === undefined ? undefined : procCpuSeconds(pid);
    if (seconds !== undefined) times[name] = seconds;
  }
  return times;
}

/** CPU milliseconds per unit of work between two readings, per process present in both. */
export function cpuMsPer(before: CpuTimes, after: CpuTimes, units: number): CpuTimes {
  return msPer(cpuSecondsBetween(before, after), units);
}

/** CPU seconds each process present in both readings spent between them. */
export function cpuSecondsBetween(before: CpuTimes, after: CpuTimes): CpuTimes {
  const spent: CpuTimes = {};
  for (const [name, seconds] of Object.entries(after)) {
    const start = before[name];
    if (start !== undefined) spent[name] = seconds - start;
  }
  return spent;
}

/** CPU seconds spent, as milliseconds per unit of work. */
export function msPer(cpuSeconds: CpuTimes, units: number): CpuTimes {
  return Object.fromEntries(Object.entries(cpuSeconds).map(([name, seconds]) => [name, (seconds * 1000) / units]));
}
