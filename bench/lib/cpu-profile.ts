import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) this reads. */
interface CpuProfileFile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** Microseconds on the host's monotonic clock (process.hrtime's). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One sample: when it was taken (µs, monotonic), how long it stands for, and where it was. */
interface Sample {
  at: number;
  micros: number;
  area: string;
  fn: string;
}

export interface CpuProfile {
  startTime: number;
  endTime: number;
  samples: Sample[];
}

/** Time spent, by where, over one window. */
export interface ProfileSummary {
  /** Sampled time not idle, milliseconds. */
  busyMs: number;
  /** Self time by area (a package, an Airlock folder, the SDK's sandbox, GC), ms, largest first. */
  areas: [string, number][];
  /** Self time by function, ms, largest first. */
  functions: [string, number][];
}

/** Reads a profile, each sample placed on the monotonic clock and given its area. */
export function readCpuProfile(file: string): CpuProfile {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfileFile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const samples: Sample[] = [];
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    at += micros;
    const frame = frames.get(id);
    if (!frame) return;
    const file = frame.url.split('/').pop() ?? '';
    samples.push({ at, micros, area: areaOf(frame.url, frame.functionName), fn: `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}` });
  });
  return { startTime: profile.startTime, endTime: profile.endTime, samples };
}

/** Self time of the samples taken in [from, to) (µs, monotonic), idle left out. */
export function summarize(profile: CpuProfile, from: number, to: number): ProfileSummary {
  if (from < profile.startTime || to > profile.endTime) throw new Error('the window is not inside the profile: were both clocks monotonic?');
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const sample of profile.samples) {
    if (sample.at < from || sample.at >= to || sample.area === '(idle)') continue;
    busy += sample.micros;
    areas.set(sample.area, (areas.get(sample.area) ?? 0) + sample.micros);
    functions.set(sample.fn, (functions.get(sample.fn) ?? 0) + sample.micros);
  }
  const sorted = (map: Map<string, number>): [string, number][] =>
    [...map].map(([key, micros]): [string, number] => [key, micros / 1000]).sort((a, b) => b[1] - a[1]);
  return { busyMs: busy / 1000, areas: sorted(areas), functions: sorted(functions) };
}

/**
 * Where a frame's time goes, in terms a reader of this repository knows: a package, a folder of
 * Airlock's own build, the workflow bundle, the SDK's sandbox (its `vm` entry and the native
 * time under it), or V8's own pseudo-frames.
 */
function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    if (functionName === 'runInContext') return 'SDK sandbox: runInContext (native)';
    return `native: ${functionName}`;
  }
  if (/workflow-bundle-[0-9a-f]+\.js$/.test(url)) return 'workflow bundle (Airlock workflow + SDK workflow runtime)';
  if (url.startsWith('evalmachine')) return 'SDK sandbox: calls into the workflow context';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === '@temporalio/worker' && url.includes('/workflow/')) return 'SDK sandbox: vm hooks (promise stacks, stack traces)';
  if (pkg) return pkg;
  const own = /\/dist\/([^/]+)\//.exec(url)?.[1];
  if (own) return `airlock ${own}/`;
  if (url.startsWith('node:')) return url.split('/')[0] === 'node:internal' ? `node:${url.split('/')[1] ?? 'internal'}` : url;
  return url;
}
