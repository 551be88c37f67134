import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ApiCall, HttpResponse } from './http-call';
import { putObject } from './test-aws';

/**
 * `as` asks, through the API, to copy a new object of airlock-src to `<folder>/<uuid>.csv` in
 * airlock-exports (which the test policies review): the API's answer, the action's id and both keys.
 */
export async function requestCopy(
  stack: { call: ApiCall },
  s3: S3Client,
  as: string,
  request: { folder: string; justification: string; extra?: object },
): Promise<{ response: HttpResponse; id: string; sourceKey: string; destinationKey: string }> {
  const sourceKey = `src/${randomUUID()}.csv`;
  const destinationKey = `${request.folder}/${randomUUID()}.csv`;
  await putObject(s3, 'airlock-src', sourceKey, 'id\n1\n');
  const response = await stack.call(as, 'POST', '/v1/actions', {
    action: 's3.copyObject',
    params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey },
    justification: request.justification,
    ...request.extra,
  });
  return { response, id: response.json().id as string, sourceKey, destinationKey };
}
