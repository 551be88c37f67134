import type { VerifyReport } from '../../audit/chain';

/** Which store a report is about: its kind and a URL safe to print. */
export interface StoreLabel {
  kind: string;
  url: string;
}

/** The report as the JSON `npm run audit:verify -- --json` prints (the API's verify shape plus the URL). */
export function verifyReportJson(report: VerifyReport, store: StoreLabel): string {
  return JSON.stringify({ store: store.kind, url: store.url, ...report }, null, 2);
}

/** A few aligned lines for a person: verdict, store, count, then the head or the first break. */
export function verifyReportText(report: VerifyReport, store: StoreLabel): string {
  const head = report.head ? `seq ${report.head.seq}, hash ${report.head.hash}` : 'none';
  const lines: [string, string][] = [
    ['audit chain', report.ok ? 'OK' : 'BROKEN'],
    ['store', `${store.kind} ${store.url}`],
  ];
  if (!report.firstBreak) {
    lines.push(['checked', `${report.checked} events`], ['head', report.head ? head : 'none (empty trail)']);
  } else {
    const { seq, reason, message } = report.firstBreak;
    lines.push(['checked', `${report.checked} events link correctly`], ['last good', head], ['first break', `seq ${seq}, ${reason}: ${message}`]);
  }
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  return lines.map(([label, value]) => `${`${label}:`.padEnd(width + 1)}${value}`).join('\n');
}
