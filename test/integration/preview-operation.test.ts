import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { createPreviewActivities } from '../../activities/preview';
import { defaultCatalogue } from '../../operations/catalogue';
import { copyObjectSessionPolicy } from '../../operations/s3/copy-object';
import { timeBoundPolicy } from '../../operations/session-time';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { memoryAuditLog } from '../support/audit';
import { failureOf } from '../support/failures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { putObject, requiredEnv, TEST_REGION, testAwsSettings } from '../support/test-aws';

/** The preview activity assumes the executor role with the operation's read-only policy, never its write policy. */
describe('previewOperation on moto, through STS', () => {
  let proxy: RecordingProxy;
  let s3: S3Client;
  const catalogue = defaultCatalogue();
  let previewOperation: ReturnType<typeof createPreviewActivities>['previewOperation'];

  beforeAll(async () => {
    const moto = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
    proxy = await startRecordingProxy(moto);
    s3 = new S3Client({ region: TEST_REGION, endpoint: moto, forcePathStyle: true, credentials: MOTO_BASE_CREDENTIALS });
    ({ previewOperation } = createPreviewActivities({
      catalogue,
      aws: testAwsSettings(proxy.endpoint),
      audit: memoryAuditLog(),
    }));
  });
  afterAll(async () => {
    s3?.destroy();
    await proxy?.stop();
  });

  function assumeRoleForms(): URLSearchParams[] {
    return proxy
      .exchanges()
      .map((exchange) => new URLSearchParams(exchange.requestBody))
      .filter((form) => form.get('Action') === 'AssumeRole');
  }

  it('reads the impact with a preview session whose policy is the read-only one', async () => {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'a,b\n1,2\n');
    const params = { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `new/${randomUUID()}.csv` };
    const actionId = 'action-s3.copyObject-previewtest0001';
    const preview = await previewOperation({ actionId, action: 's3.copyObject', params, requester: { id: 'etl-bot', source: 'api' } });

    expect(preview.facts).toMatchObject({ sourceExists: true, sourceBytes: 8, destinationExists: false });
    const [form] = assumeRoleForms().slice(-1);
    expect(form?.get('RoleSessionName')).toBe(`${actionId}.preview`);
    const sentPolicy = JSON.parse(form?.get('Policy') ?? '{}');
    const operation = catalogue.get('s3.copyObject')!;
    // The read-only policy, every statement bounded in time (operations/session-time.ts).
    const bound = new Date(sentPolicy.Statement[0].Condition.DateLessThan['aws:CurrentTime']);
    expect(sentPolicy).toEqual(timeBoundPolicy(operation.previewPolicy(operation.params.parse(params), 'aws'), bound));
    expect(preview.preconditions).toEqual({ sourceETag: preview.facts.sourceETag });
    expect(sentPolicy).not.toEqual(copyObjectSessionPolicy(params, 'aws'));
    const actions = sentPolicy.Statement.flatMap((statement: { Action: string[] }) => statement.Action);
    expect(actions.every((action: string) => /^s3:(Get|List|Head)/.test(action))).toBe(true);
    for (const secret of proxy.issuedSecrets()) expect(JSON.stringify(preview)).not.toContain(secret);
  });

  it('fails non-retryably for invalid params, before asking STS for anything', async () => {
    const before = assumeRoleForms().length;
    const failure = await failureOf(
      previewOperation({
        actionId: 'action-s3.copyObject-previewtest0002',
        action: 's3.copyObject',
        params: { sourceBucket: 'x' },
        requester: { id: 'etl-bot', source: 'api' },
      }),
    );
    expect(failure.type).toBe('InvalidParams');
    expect(failure.nonRetryable).toBe(true);
    expect(assumeRoleForms()).toHaveLength(before);
  });
});
