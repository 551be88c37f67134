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
    ['audit chain', report.firstBreak ? 'BROKEN' : 'OK'],
    ['store', `${store.kind} ${store.url}`],
  ];
  if (!report.firstBreak) {
    lines.push(['checked', `${report.checked} events`], ['head', report.head ? head : 'none (empty trail)']);
  } else {
    const { seq, reason, message } = report.firstBreak;
    lines.push(['checked', `${report.checked} events link correctly`], ['last good', head], ['first break', `seq ${seq}, ${reason}: ${message}`]);
  }
  const signatures = report.signatures;
  if (signatures) {
    lines.push([
      'signatures',
      `${signatures.ok ? 'OK' : 'FAILED'}: ${signatures.verified} of ${signatures.checked} requests, votes and cancels verified` +
        (signatures.legacyUnsigned ? `, ${signatures.legacyUnsigned} unsigned before signing existed` : '') +
        (signatures.failed ? `, ${signatures.failed} failed` : ''),
    ]);
    for (const failure of signatures.failures)
      lines.push(['failed', `seq ${failure.seq}, ${failure.kind} by ${failure.actor}, ${failure.code}: ${failure.message}`]);
  } else {
    lines.push(['signatures', 'not checked (--chain-only)']);
  }
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  return lines.map(([label, value]) => `${`${label}:`.padEnd(width + 1)}${value}`).join('\n');
}
