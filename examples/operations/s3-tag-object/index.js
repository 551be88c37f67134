// An operation of one's own, as a team would write it outside Airlock: `s3.tagObject` replaces an
// object's tags, reviewed with a preview of the tags it removes, adds and changes. Airlock loads it
// with AIRLOCK_OPERATIONS=examples/operations/s3-tag-object/index.js (worker and API). It imports
// Airlock's operations SDK from Airlock's build, and the AWS SDK and zod Airlock ships.
const { GetObjectTaggingCommand, PutObjectTaggingCommand, S3Client } = require('@aws-sdk/client-s3');
const { z } = require('zod');
const { defineOperation, jsonDigest, PreconditionFailedError, s3ObjectArn, sha256Hex, withClient } = require('../../../dist/operations/sdk');

/** No IAM wildcard or policy variable may come from a param: IAM cannot escape them. */
const noWildcard = (value) => !/[*?]|\$\{/.test(value);
const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');
const key = z.string().min(1).max(512).refine(noWildcard, 'must not contain *, ? or ${');
// S3's tag limits: 10 tags, keys up to 128 characters, values up to 256.
const tags = z.record(z.string().min(1).max(128), z.string().max(256)).refine((value) => Object.keys(value).length <= 10, 'at most 10 tags');

/** The tag set, sorted, as S3 wants it and as the digest binds it. */
function tagSet(record) {
  return Object.keys(record)
    .sort()
    .map((name) => ({ Key: name, Value: record[name] }));
}

function asRecord(tagSetList) {
  return Object.fromEntries((tagSetList ?? []).map((tag) => [tag.Key, tag.Value]));
}

function client(context) {
  return new S3Client({
    region: context.region,
    endpoint: context.endpoint,
    forcePathStyle: Boolean(context.endpoint),
    credentials: context.credentials,
    maxAttempts: 1,
  });
}

async function currentTags(s3, params) {
  return asRecord((await s3.send(new GetObjectTaggingCommand({ Bucket: params.bucket, Key: params.key }))).TagSet);
}

function objectPolicy(params, partition, actions) {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ThisObject', Effect: 'Allow', Action: actions, Resource: [s3ObjectArn(partition, params.bucket, params.key)] }],
  };
}

module.exports.default = defineOperation({
  name: 's3.tagObject',
  title: 'Replace the tags of one S3 object',
  description: "Sets an object's tag set to exactly the tags given (tags drive lifecycle rules and access conditions).",
  params: z.strictObject({ bucket, key, tags }),
  idempotent: true,
  examples: [{ bucket: 'airlock-exports', key: 'reports/q3.csv', tags: { retention: '90d', classification: 'internal' } }],
  summarize: (params) => `set the tags of s3://${params.bucket}/${params.key} to ${JSON.stringify(params.tags)}`,
  // Execution reads the tags again (the precondition) and writes them: two actions, this object only.
  sessionPolicy: (params, partition) => objectPolicy(params, partition, ['s3:GetObjectTagging', 's3:PutObjectTagging']),
  previewPolicy: (params, partition) => objectPolicy(params, partition, ['s3:GetObjectTagging']),
  preconditions: z.strictObject({ tagsDigest: sha256Hex }),

  async preview(params, context) {
    return withClient(client(context), async (s3) => {
      const before = await currentTags(s3, params);
      const removed = Object.keys(before).filter((name) => !(name in params.tags));
      const added = Object.keys(params.tags).filter((name) => !(name in before));
      const changed = Object.keys(params.tags).filter((name) => name in before && before[name] !== params.tags[name]);
      return {
        facts: { currentTags: JSON.stringify(before), removed: removed.join(', '), added: added.join(', '), changed: changed.join(', ') },
        notes: [`${removed.length} removed, ${added.length} added, ${changed.length} changed`],
        warnings: removed.length > 0 ? [`removes tags ${removed.join(', ')}: lifecycle rules or policies keyed on them stop applying`] : [],
        preconditions: { tagsDigest: jsonDigest(before) },
      };
    });
  },

  async execute(params, context) {
    return withClient(client(context), async (s3) => {
      // What was reviewed is what runs: the tags must still be the ones the preview read.
      if (jsonDigest(await currentTags(s3, params)) !== context.preconditions.tagsDigest) {
        throw new PreconditionFailedError(`the tags of s3://${params.bucket}/${params.key} changed since the preview`);
      }
      await s3.send(new PutObjectTaggingCommand({ Bucket: params.bucket, Key: params.key, Tagging: { TagSet: tagSet(params.tags) } }));
      return { summary: `tagged s3://${params.bucket}/${params.key}`, outputs: { tags: Object.keys(params.tags).length } };
    });
  },

  // After a crash mid-request: the tags are already exactly these, so nothing runs again.
  async findApplied(params, context) {
    return withClient(client(context), async (s3) =>
      jsonDigest(await currentTags(s3, params)) === jsonDigest(asRecord(tagSet(params.tags)))
        ? { summary: `tagged s3://${params.bucket}/${params.key}`, outputs: { tags: Object.keys(params.tags).length } }
        : undefined,
    );
  },
});
