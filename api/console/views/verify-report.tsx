import type { VerifyReport } from '../../../audit/chain';

/** The result of walking the chain and checking every identity proof, as `GET /v1/audit/verify` reports it. */
export function VerifyReportView(props: { store: string; report: VerifyReport }) {
  const { report } = props;
  const signatures = report.signatures;
  return (
    <section class="panel verify">
      <p class={`alert ${report.ok ? 'success' : 'error'}`} role="status">
        <strong>{report.ok ? 'The audit trail is whole.' : 'The audit trail does not verify.'}</strong>
        {` ${report.checked} events checked in the ${props.store} store.`}
      </p>
      <dl class="facts">
        <div>
          <dt>Head</dt>
          <dd>{report.head ? <code class="hash">{`#${report.head.seq} ${report.head.hash}`}</code> : 'empty trail'}</dd>
        </div>
        {report.firstBreak ? (
          <div>
            <dt>First break</dt>
            <dd>{`#${report.firstBreak.seq} ${report.firstBreak.reason}: ${report.firstBreak.message}`}</dd>
          </div>
        ) : null}
        {signatures ? (
          <div>
            <dt>Signatures</dt>
            <dd>{`${signatures.verified} of ${signatures.checked} verified, ${signatures.failed} failed, ${signatures.legacyUnsigned} unsigned from before signed identities`}</dd>
          </div>
        ) : null}
      </dl>
      {signatures && signatures.failures.length > 0 ? (
        <ul class="warnings">
          {signatures.failures.map((failure) => (
            <li>{`#${failure.seq} ${failure.kind} by ${failure.actor}: ${failure.code}: ${failure.message}`}</li>
          ))}
        </ul>
      ) : null}
      <p class="muted">Record the head outside Airlock (a ticket, your SIEM): a later head that does not extend it shows a rewritten or truncated trail.</p>
    </section>
  );
}
