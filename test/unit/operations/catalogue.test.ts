import { operationFactsOf } from '../../../activities/operation-facts';
import { resolveOperation } from '../../../activities/resolve-operation';
import { failureOf } from '../../support/failures';
import { Catalogue, defaultCatalogue, InvalidParamsError, UnknownActionError } from '../../../operations/catalogue';
import { s3CopyObject } from '../../../operations/s3/copy-object';

const params = {
  sourceBucket: 'airlock-source',
  sourceKey: 'reports/2026-q3.csv',
  destinationBucket: 'airlock-exports',
  destinationKey: 'q3.csv',
};

describe('Catalogue', () => {
  test('the default catalogue has every operation, sorted by name', () => {
    const catalogue = defaultCatalogue();
    expect(catalogue.names()).toEqual([
      'aws.call',
      'dynamodb.exportTableToPointInTime',
      'ec2.runInstances',
      'iam.attachRolePolicy',
      'iam.detachRolePolicy',
      'iam.putRolePolicy',
      'lambda.updateFunctionCode',
      's3.copyObject',
      's3.exportPrefix',
      's3.putBucketPolicy',
    ]);
    expect(catalogue.get('s3.copyObject')).toBe(s3CopyObject);
    expect(catalogue.list().map((operation) => operation.name)).toEqual(catalogue.names());
    expect(catalogue.get('s3.deleteBucket')).toBeUndefined();
  });

  test('refuses two operations with the same name', () => {
    expect(() => new Catalogue([s3CopyObject, s3CopyObject])).toThrow(/duplicate operation s3.copyObject/);
  });

  test('resolve parses params with the operation schema', () => {
    const resolved = defaultCatalogue().resolve('s3.copyObject', params);
    expect(resolved.operation).toBe(s3CopyObject);
    expect(resolved.params).toEqual(params);
  });

  test('resolve names unknown actions and the known ones', () => {
    expect(() => defaultCatalogue().resolve('s3.deleteBucket', {})).toThrow(UnknownActionError);
    expect(() => defaultCatalogue().resolve('s3.deleteBucket', {})).toThrow(
      'unknown action "s3.deleteBucket"; known: aws.call, dynamodb.exportTableToPointInTime, ec2.runInstances, iam.attachRolePolicy, iam.detachRolePolicy, ' +
        'iam.putRolePolicy, lambda.updateFunctionCode, s3.copyObject, s3.exportPrefix, s3.putBucketPolicy',
    );
  });

  test('resolve lists every refused field', () => {
    let thrown: unknown;
    try {
      defaultCatalogue().resolve('s3.copyObject', { ...params, sourceKey: 'a*', destinationBucket: 'UPPER', extra: 1 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidParamsError);
    const error = thrown as InvalidParamsError;
    expect(error.code).toBe('invalid_params');
    expect(error.issues).toEqual([
      expect.stringMatching(/^params\.sourceKey: object key must not contain "\*"/),
      expect.stringMatching(/^params\.destinationBucket: bucket name may contain only/),
      'params: Unrecognized key: "extra"',
    ]);
  });
});

describe('operation facts and resolution inside activities', () => {
  test('gives the idempotent flag and the one-line summary', () => {
    const { operation, params: parsed } = resolveOperation(defaultCatalogue(), 's3.copyObject', params);
    expect(operationFactsOf(operation, parsed)).toEqual({
      idempotent: true,
      summary: 'copy s3://airlock-source/reports/2026-q3.csv to s3://airlock-exports/q3.csv',
    });
  });

  test('turns unknown actions and invalid params into typed non-retryable failures', async () => {
    const unknown = await failureOf(Promise.resolve().then(() => resolveOperation(defaultCatalogue(), 'nope', {})));
    expect(unknown).toMatchObject({ type: 'UnknownAction', nonRetryable: true });
    const invalid = await failureOf(Promise.resolve().then(() => resolveOperation(defaultCatalogue(), 's3.copyObject', { ...params, sourceKey: '${x}' })));
    expect(invalid).toMatchObject({ type: 'InvalidParams', nonRetryable: true });
  });
});
