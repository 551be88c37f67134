import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';

/** The repo's file at a path from the project root, as text. */
function read(path: string): string {
  return readFileSync(join(PROJECT_ROOT, path), 'utf8');
}

/** The Node major in .nvmrc (`24`): what CI and the image run. */
export function nvmrcMajor(): string {
  return read('.nvmrc').trim();
}

/** The exact Node version scripts/use-node.sh installs when the machine's is another major. */
export function useNodePin(): string {
  return /^NODE_VERSION="([^"]*)"/m.exec(read('scripts/use-node.sh'))?.[1] ?? '<none>';
}

/** package.json, the fields these checks read. */
export function packageJson(): { engines?: { node?: string }; devDependencies?: Record<string, string> } {
  return JSON.parse(read('package.json')) as { engines?: { node?: string }; devDependencies?: Record<string, string> };
}
