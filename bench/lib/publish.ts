import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/tools';

/** The machine a result was measured on: numbers mean little without it. */
export interface Machine {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  date: string;
}

export function machine(): Machine {
  const all = cpus();
  return {
    cpu: all[0]?.model.trim() ?? 'unknown',
    cpus: all.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpus} × ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, ${m.date.slice(0, 10)}`;
}

/** Writes bench/results/<name>.json; returns its path. */
export function writeResults(name: string, results: unknown): string {
  const file = join(PROJECT_ROOT, 'bench', 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

const DOC = join(PROJECT_ROOT, 'docs', 'benchmarks.md');
const DOC_INTRO = `# Benchmarks

\`npm run bench\` builds and runs every benchmark in \`bench/index.ts\` (\`npm run bench -- <name>\`
runs one). Each writes its raw results to \`bench/results/<name>.json\` and its section below,
between its markers, with the machine it ran on.
`;

/**
 * Replaces the text between `<!-- <name>:start -->` and `<!-- <name>:end -->` in docs/benchmarks.md,
 * creating the file or appending the section when absent; the rest of the file is left alone.
 */
export function writeDocSection(name: string, markdown: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${markdown.trim()}\n${end}`;
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : DOC_INTRO;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end, from);
  const updated = from !== -1 && to !== -1 ? doc.slice(0, from) + section + doc.slice(to + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, updated);
  return DOC;
}
