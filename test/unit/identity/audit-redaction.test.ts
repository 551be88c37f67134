import { createIdentityActivities } from '../../../activities/identity';
import { auditParams, auditParamsProblem, redactedValue } from '../../../domain/audit-redaction';
import type { ActionRequestInput } from '../../../domain/types';
import { memoryAuditLog } from '../../support/audit';
import { TEST_TRUSTED_KEYS, testSigner } from '../../support/identity-keys';

const ACTION_ID = 'action-mcp.fs.write_file-abcdefghijkmnpqr';
const params = { path: '/srv/notes.txt', content: 'the secret plan' };

function signedRequest(audit: Record<string, string> | undefined): ActionRequestInput {
  const request: ActionRequestInput = {
    actionId: ACTION_ID,
    action: 'mcp.fs.write_file',
    params,
    justification: 'write the notes file',
    requester: { id: 'etl-bot', source: 'api' },
    requestedAt: new Date().toISOString(),
    ...(audit ? { auditParams: audit } : {}),
  };
  return { ...request, proof: testSigner().signStart(request) };
}

describe('params the audit trail keeps only as a digest', () => {
  it('replaces exactly the named params with a digest salted by the action id', () => {
    const recorded = auditParams(ACTION_ID, params, ['content', 'absent']);
    expect(recorded).toEqual({ path: '/srv/notes.txt', content: expect.stringMatching(/^\[redacted sha256:[0-9a-f]{64}\]$/) });
    expect(JSON.stringify(recorded)).not.toContain('secret plan');
    expect(redactedValue('action-other-abcdefghijkmnpqr', params.content)).not.toBe(recorded?.content);
    expect(auditParams(ACTION_ID, params, ['absent'])).toBeUndefined();
  });

  it('tells a redaction of the params from anything else', () => {
    const recorded = auditParams(ACTION_ID, params, ['content']) ?? {};
    expect(auditParamsProblem(ACTION_ID, params, recorded)).toBeUndefined();
    expect(auditParamsProblem(ACTION_ID, params, params)).toBeUndefined(); // nothing redacted is a redaction too
    expect(auditParamsProblem(ACTION_ID, params, { ...recorded, content: redactedValue(ACTION_ID, 'something harmless') })).toBe(
      'the audit form of params.content is neither its value nor its digest',
    );
    expect(auditParamsProblem(ACTION_ID, params, { content: recorded.content ?? '' })).toBe('the audit form of the params names other params');
  });

  it('lets the worker run a start signed over the audit form only when that form is the params’ redaction', async () => {
    const { verifyActionRequest } = createIdentityActivities({ identityKeys: TEST_TRUSTED_KEYS, audit: memoryAuditLog() });
    const workflowStartedAt = new Date().toISOString();
    await expect(
      verifyActionRequest({ request: signedRequest(auditParams(ACTION_ID, params, ['content']) as Record<string, string>), workflowStartedAt }),
    ).resolves.toBeUndefined();
    // Signed, but the audit form says one thing and the params another: the proof does not bind what would run.
    const lying = signedRequest({ path: '/srv/notes.txt', content: redactedValue(ACTION_ID, 'something harmless') });
    await expect(verifyActionRequest({ request: lying, workflowStartedAt })).rejects.toThrow(
      'the audit form of params.content is neither its value nor its digest',
    );
  });
});
