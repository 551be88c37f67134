import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';

/** One Dockerfile instruction, continuation lines joined, with the index of its build stage. */
export interface DockerInstruction {
  stage: number;
  keyword: string;
  args: string;
}

/** The repo's Dockerfile as instructions (enough of the syntax for this project's file). */
export function dockerfileInstructions(): DockerInstruction[] {
  const text = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  let stage = -1;
  return logical.map((line) => {
    const space = line.search(/\s/);
    const keyword = line.slice(0, space).toUpperCase();
    if (keyword === 'FROM') stage += 1;
    return { stage, keyword, args: line.slice(space + 1).trim() };
  });
}

/** The images the stages build FROM (`node:24-bookworm-slim`), leaving out stages built on earlier stages. */
export function baseImages(instructions: DockerInstruction[]): string[] {
  const stages = instructions.filter((instruction) => instruction.keyword === 'FROM').map((instruction) => instruction.args.split(/\s+/));
  const names = new Set(stages.map((words) => words[2]?.toLowerCase()).filter((name) => name !== undefined));
  return stages.map((words) => words[0] ?? '').filter((image) => !names.has(image.toLowerCase()));
}

/** The final stage's instructions: what the image runs with. */
export function runtimeStage(instructions: DockerInstruction[]): DockerInstruction[] {
  const last = Math.max(...instructions.map((instruction) => instruction.stage));
  return instructions.filter((instruction) => instruction.stage === last);
}

/** `KEY=value` pairs of an ENV instruction (the form this Dockerfile uses). */
export function envKeys(args: string): string[] {
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((match) => match[1] ?? '');
}

/** The exec-form (JSON array) argument list at the end of a CMD or HEALTHCHECK instruction. */
export function execForm(args: string): string[] {
  const start = args.indexOf('[');
  if (start < 0) throw new Error(`not in exec form: ${args}`);
  return JSON.parse(args.slice(start)) as string[];
}
