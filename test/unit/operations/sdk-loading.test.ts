/*
 * The AWS client libraries of the built-in operations load on first use, not at start: each costs
 * every worker and API process megabytes of RSS (operations/s3-sdk.ts, operations/*\/sdk.ts). A
 * static value import of one anywhere in the catalogue's graph would load it at start again.
 */
const mockLoaded: string[] = [];

/** Records that `name` was required, then hands out the real library. */
function mockRecording(name: string): unknown {
  mockLoaded.push(name);
  return jest.requireActual(name);
}

// jest hoists these above the imports; a factory runs when the library is first required.
jest.mock('@aws-sdk/client-s3', () => mockRecording('@aws-sdk/client-s3'));
jest.mock('@aws-sdk/client-iam', () => mockRecording('@aws-sdk/client-iam'));
jest.mock('@aws-sdk/client-ec2', () => mockRecording('@aws-sdk/client-ec2'));
jest.mock('@aws-sdk/client-lambda', () => mockRecording('@aws-sdk/client-lambda'));
jest.mock('@aws-sdk/client-dynamodb', () => mockRecording('@aws-sdk/client-dynamodb'));

import { defaultCatalogue } from '../../../operations/catalogue';
import { loadIamSdk } from '../../../operations/iam/sdk';
import { loadS3Sdk } from '../../../operations/s3-sdk';

describe('AWS client libraries', () => {
  test('the catalogue loads none of them at start', () => {
    expect(defaultCatalogue().names()).toContain('s3.copyObject');
    expect(mockLoaded).toEqual([]);
  });

  test('S3 and IAM load on first use, once', async () => {
    const s3 = await loadS3Sdk();
    const iam = await loadIamSdk();
    expect(typeof s3.S3Client).toBe('function');
    expect(typeof iam.IAMClient).toBe('function');
    expect(await loadS3Sdk()).toBe(s3);
    expect(await loadIamSdk()).toBe(iam);
    expect(mockLoaded.sort()).toEqual(['@aws-sdk/client-iam', '@aws-sdk/client-s3']);
  });
});
