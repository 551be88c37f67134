/**
 * Schemathesis frames its section titles and its closing line as pytest does
 * ("=== 1 warning in 36.79s ==="). CI reads such a line as pytest's summary of a run that executed
 * no test, whatever jest counted before it; so the frame is dropped and the words kept.
 */
export function unframedSchemathesisLine(line: string): string {
  const framed = /^=+ (.+?) =+$/.exec(line.trimEnd());
  return framed ? `schemathesis · ${framed[1]}` : line;
}
