/** A table as rows of cells; the first row is the header. Numbers are formatted by the caller. */
export type Table = string[][];

/** Aligned columns for the terminal: text left, numbers right. */
export function textTable(table: Table): string {
  const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: string[]): string =>
    row
      .map((cell, column) => (isNumeric(cell) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = table;
  if (!header) return '';
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

/** A GitHub-flavoured markdown table, numbers right-aligned. */
export function markdownTable(table: Table): string {
  const [header, ...body] = table;
  if (!header) return '';
  const alignment = header.map((_, column) => (body.every((row) => isNumeric(row[column] ?? '')) ? '---:' : '---'));
  return [header, alignment, ...body].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

function isNumeric(cell: string): boolean {
  return /^[\d.,]+\s*[a-zA-Z/%×]*$/.test(cell);
}

/** 1234567 → "1,234,567". */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
