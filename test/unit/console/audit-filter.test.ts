import { auditFilterQuery, parseAuditFilter } from '../../../api/console/pages/audit-filter';

describe('parseAuditFilter', () => {
  it('reads the form’s UTC times and an ISO time with its offset alike', () => {
    const parsed = parseAuditFilter({ from: '2026-12-04T10:00', to: '2026-12-04T12:30:00+01:00', action: '', actor: 'alice' });
    expect(parsed).toEqual({
      ok: true,
      filter: { from: '2026-12-04T10:00:00.000Z', to: '2026-12-04T11:30:00.000Z', actor: 'alice' },
      form: { from: '2026-12-04T10:00:00', to: '2026-12-04T11:30:00', action: undefined, actor: 'alice' },
    });
    expect(parsed.ok && auditFilterQuery(parsed.filter)).toEqual({ from: '2026-12-04T10:00:00.000Z', to: '2026-12-04T11:30:00.000Z', actor: 'alice' });
  });

  it('starts from the default time only when nothing at all was asked for', () => {
    expect(parseAuditFilter({}, '2026-12-03T00:00:00.000Z')).toMatchObject({ ok: true, filter: { from: '2026-12-03T00:00:00.000Z' } });
    expect(parseAuditFilter({ actor: 'bob' }, '2026-12-03T00:00:00.000Z')).toMatchObject({ ok: true, filter: { actor: 'bob' } });
  });

  it('refuses what GET /v1/audit refuses, keeping what was typed', () => {
    const bad = parseAuditFilter({ action: "x' OR '1'='1", from: '2026-12-05T00:00', to: '2026-12-04T00:00' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problem).toMatch(/action: must be an action id/);
    expect(!bad.ok && bad.problem).toMatch(/from: `from` must not be after `to`/);
    expect(bad.form.action).toBe("x' OR '1'='1");
  });
});
