import { relative } from 'node:path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';

/**
 * Every .js file `npm run build` (tsc -p tsconfig.build.json) writes, relative to the project
 * root, computed by the compiler from the config instead of read from a possibly stale dist/.
 */
export function buildOutputs(): Set<string> {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(`${PROJECT_ROOT}/tsconfig.build.json`, {}, host);
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  const outputs = new Set<string>();
  for (const file of parsed.fileNames) {
    for (const output of ts.getOutputFileNames(parsed, file, !ts.sys.useCaseSensitiveFileNames)) {
      if (output.endsWith('.js')) outputs.add(relative(PROJECT_ROOT, output));
    }
  }
  return outputs;
}
