import { performance } from 'node:perf_hooks';

export interface ExportRead {
  lines: number;
  bytes: number;
  seconds: number;
}

const NEWLINE = 0x0a;

/**
 * GETs a JSON-lines export and reads it chunk by chunk, holding at most one partial line: counts
 * lines and bytes and checks that the events come as seq 1, 2, 3, … with none missing.
 */
export async function readExport(url: string, apiKey: string): Promise<ExportRead> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok || !response.body) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  let lines = 0;
  let bytes = 0;
  let partial: Buffer = Buffer.alloc(0);
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    const data = partial.length > 0 ? Buffer.concat([partial, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
      lines += 1;
      const { seq } = JSON.parse(data.toString('utf8', start, end)) as { seq: number };
      if (seq !== lines) throw new Error(`line ${lines} of the export is seq ${seq}`);
      start = end + 1;
    }
    partial = Buffer.from(data.subarray(start)); // a copy: the chunk itself can be let go
  }
  if (partial.length > 0) throw new Error('the export ends in the middle of a line');
  return { lines, bytes, seconds: (performance.now() - started) / 1000 };
}
