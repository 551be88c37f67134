import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/tools';

/** The reference MCP servers the gateway tests run, as installed devDependencies. */
export const FILESYSTEM_ENTRY = join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
export const EVERYTHING_ENTRY = join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/** A stdio server of a gateway file: `node <entry> <args…>` under `name`, then `settings` (lines indented by four). */
export function stdioServer(name: string, entry: string, args: readonly string[] = [], settings: readonly string[] = []): string[] {
  return [
    `  ${name}:`,
    '    transport: stdio',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${[entry, ...args].map((arg) => JSON.stringify(arg)).join(', ')}]`,
    ...settings,
  ];
}

/** Writes `gateway.yaml` with these servers into `dir`; returns its path. */
export function writeGatewayFile(dir: string, servers: readonly (readonly string[])[]): string {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, ['version: 1', 'servers:', ...servers.flat(), ''].join('\n'));
  return file;
}
