import { exportPrefixParams, exportPrefixPreviewPolicy, exportPrefixSessionPolicy } from '../../../../operations/s3/export-prefix';

const params = { sourceBucket: 'warehouse', sourcePrefix: 'datasets/2026/', destinationBucket: 'partner-drop', destinationPrefix: 'acme/2026/' };

describe('s3.exportPrefix', () => {
  it('grants exactly list+read under the source prefix and list+check+write under the destination prefix', () => {
    expect(exportPrefixSessionPolicy(params, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ListSourcePrefix',
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::warehouse'],
          Condition: { StringLike: { 's3:prefix': 'datasets/2026/*' } },
        },
        { Sid: 'ReadSourceObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::warehouse/datasets/2026/*'] },
        {
          Sid: 'ListDestinationPrefix',
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::partner-drop'],
          Condition: { StringLike: { 's3:prefix': 'acme/2026/*' } },
        },
        {
          Sid: 'CheckAndWriteDestinationObjects',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: ['arn:aws:s3:::partner-drop/acme/2026/*'],
        },
      ],
    });
  });

  it('previews with listing only', () => {
    const actions = exportPrefixPreviewPolicy(params, 'aws-us-gov').Statement.flatMap((statement) => statement.Action);
    expect(actions).toEqual(['s3:ListBucket', 's3:ListBucket']);
    expect(JSON.stringify(exportPrefixPreviewPolicy(params, 'aws-us-gov'))).toContain('arn:aws-us-gov:s3:::warehouse');
  });

  it.each([
    [{ sourcePrefix: '' }, 'sourcePrefix'],
    [{ sourcePrefix: 'data/*' }, 'sourcePrefix'],
    [{ destinationPrefix: '${aws:username}/' }, 'destinationPrefix'],
    [{ destinationBucket: 'warehouse', destinationPrefix: 'datasets/2026/copy/' }, 'destinationPrefix'],
    [{ destinationBucket: 'warehouse', destinationPrefix: 'datasets/' }, 'destinationPrefix'],
  ])('refuses %j', (change, field) => {
    const result = exportPrefixParams.safeParse({ ...params, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('accepts a non-overlapping prefix in the same bucket', () => {
    expect(exportPrefixParams.safeParse({ ...params, destinationBucket: 'warehouse', destinationPrefix: 'exports/acme/' }).success).toBe(true);
  });
});
