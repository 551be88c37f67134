import { diffPolicies, grantFlags, grantWarnings, setIncludes } from '../../../../operations/iam-policy-diff';
import { normalizePolicy, type PolicyInput, type PolicyStatementInput } from '../../../../operations/iam-policy-document';

const BUCKET = 'arn:aws:s3:::reports';

function doc(...statements: PolicyStatementInput[]): PolicyInput {
  return { Version: '2012-10-17', Statement: statements };
}

const read: PolicyStatementInput = { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${BUCKET}/*`] };

describe('diffPolicies', () => {
  test('identical documents: no change, no widening', () => {
    const diff = diffPolicies(doc(read), doc(read));
    expect(diff).toMatchObject({
      added: [],
      removed: [],
      changed: [],
      unchanged: 1,
      widens: false,
      reasons: [],
      widening: [],
      addedActions: [],
      removedActions: [],
    });
    expect(diff.text).toBe('no change: the same 1 statement as now');
  });

  test('spelling IAM ignores is no change: order, duplicates, action case, string vs list, Sid', () => {
    const current = doc({ Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`${BUCKET}/*`, BUCKET] });
    const proposed = doc({ Sid: 'B', Effect: 'Allow', Action: ['S3:listbucket', 's3:GetObject', 's3:getobject'], Resource: [BUCKET, `${BUCKET}/*`] });
    const diff = diffPolicies(current, proposed);
    expect(diff).toMatchObject({ added: [], removed: [], changed: [], unchanged: 1, widens: false, addedActions: [], removedActions: [] });
    expect(diffPolicies(doc({ ...read, Action: 's3:GetObject', Resource: `${BUCKET}/*` }), doc(read)).widens).toBe(false);
  });

  test('a new action in a statement widens, and says which', () => {
    const diff = diffPolicies(doc(read), doc({ ...read, Action: ['s3:GetObject', 's3:PutObject'] }));
    expect(diff.changed).toHaveLength(1);
    expect(diff.widens).toBe(true);
    expect(diff.reasons).toEqual(['statement "Read" now allows more: actions +s3:PutObject']);
    expect(diff.addedActions).toEqual(['s3:PutObject']);
    expect(diff.removedActions).toEqual([]);
    expect(diff.text).toBe(
      ['~ statement "Read":', '      Effect Allow', '      Action s3:GetObject', '  +   Action s3:PutObject', `      Resource ${BUCKET}/*`].join('\n'),
    );
  });

  test('removing an action or a statement narrows: not widening', () => {
    const both = doc({ ...read, Action: ['s3:GetObject', 's3:PutObject'] }, { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET });
    const diff = diffPolicies(both, doc(read));
    expect(diff.widens).toBe(false);
    expect(diff.reasons).toEqual([]);
    expect(diff.changed).toHaveLength(1);
    expect(diff.removed.map((s) => s.sid)).toEqual(['List']);
    expect(diff.removedActions).toEqual(['s3:ListBucket', 's3:PutObject']);
    expect(diff.text).toContain('- statement "List":');
    expect(diff.text).toContain('  -   Action s3:PutObject');
  });

  test('a new statement widens; its reason names what it grants', () => {
    const diff = diffPolicies(doc(read), doc(read, { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }));
    expect(diff.added).toHaveLength(1);
    expect(diff.unchanged).toBe(1);
    expect(diff.reasons).toEqual(['adds Allow iam:PassRole on * (statement #2)']);
    expect(diff.text).toBe(['+ statement #2:', '+     Effect Allow', '+     Action iam:PassRole', '+     Resource *', '  (1 unchanged statement)'].join('\n'));
  });

  test('a `*` resource widens, and is flagged', () => {
    const diff = diffPolicies(doc(read), doc({ ...read, Resource: '*' }));
    expect(diff.widens).toBe(true);
    expect(diff.reasons).toEqual(['statement "Read" now allows more: resources +*']);
    expect(grantWarnings(diff.widening, 'role r')).toEqual(['statement "Read" applies to every resource (*)']);
    expect(grantFlags(normalizePolicy(doc({ ...read, Resource: '*' })))).toEqual({ wildcardAction: false, wildcardResource: true });
  });

  test('what a current wildcard already grants is not widening, though the action is new to the document', () => {
    const current = doc({ Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: `${BUCKET}/*` });
    const diff = diffPolicies(
      current,
      doc(current.Statement as PolicyStatementInput, { Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/2026/q3.csv` }),
    );
    expect(diff.widens).toBe(false);
    expect(diff.addedActions).toEqual(['s3:GetObject']);
    expect(diffPolicies(current, doc({ ...read, Action: 's3:Get*' })).widens).toBe(false);
  });

  test('wildcard containment is sound: broader or differently shaped patterns widen', () => {
    const get = doc({ Effect: 'Allow', Action: 's3:Get*', Resource: `${BUCKET}/*` });
    expect(diffPolicies(get, doc({ Effect: 'Allow', Action: 's3:*', Resource: `${BUCKET}/*` })).widens).toBe(true);
    // `?` matches one character, `*` any number: s3:*etObject is not inside s3:?etObject.
    const oneChar = doc({ Effect: 'Allow', Action: 's3:?etObject', Resource: `${BUCKET}/*` });
    expect(diffPolicies(oneChar, doc({ Effect: 'Allow', Action: 's3:*etObject', Resource: `${BUCKET}/*` })).widens).toBe(true);
    expect(diffPolicies(oneChar, doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` })).widens).toBe(false);
    // Resource ARNs are case-sensitive.
    expect(diffPolicies(doc(read), doc({ ...read, Resource: 'arn:aws:s3:::REPORTS/*' })).widens).toBe(true);
  });

  test('policy variables count as wildcards in what is added, and literally in what exists', () => {
    const perUser = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/\${aws:username}/*` });
    expect(diffPolicies(perUser, doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/alice/x` })).widens).toBe(true);
    expect(diffPolicies(perUser, perUser).widens).toBe(false);
    expect(diffPolicies(doc(read), perUser).widens).toBe(false);
  });

  test('dropping a condition widens; adding one narrows', () => {
    const conditioned = doc({ ...read, Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } });
    const loosened = diffPolicies(conditioned, doc(read));
    expect(loosened.widens).toBe(true);
    expect(loosened.reasons).toEqual(['statement "Read" now allows more: drops condition StringEquals aws:SourceVpc = ["vpc-1"]']);
    expect(diffPolicies(doc(read), conditioned).widens).toBe(false);
    // Condition keys are case-insensitive; values compare as strings.
    const spelled = doc({ ...read, Condition: { StringEquals: { 'AWS:sourcevpc': ['vpc-1'] } } });
    expect(diffPolicies(conditioned, spelled).widens).toBe(false);
    expect(
      diffPolicies(
        doc({ ...read, Condition: { Bool: { 'aws:SecureTransport': true } } }),
        doc({ ...read, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
      ).unchanged,
    ).toBe(1);
  });

  test('removing or narrowing a Deny widens; adding a Deny does not', () => {
    const deny: PolicyStatementInput = { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:Delete*', Resource: '*' };
    const removed = diffPolicies(doc(read, deny), doc(read));
    expect(removed.widens).toBe(true);
    expect(removed.reasons).toEqual(['no longer denies s3:Delete* on * (statement "NoDelete")']);
    const narrowed = diffPolicies(doc(read, deny), doc(read, { ...deny, Resource: `${BUCKET}/*` }));
    expect(narrowed.reasons).toEqual(['statement "NoDelete" denies less: was Deny s3:Delete* on *, now Deny s3:Delete* on arn:aws:s3:::reports/*']);
    expect(diffPolicies(doc(read), doc(read, deny)).widens).toBe(false);
    // A Deny that gains a condition applies less often.
    expect(diffPolicies(doc(deny), doc({ ...deny, Condition: { Bool: { 'aws:ViaAWSService': false } } })).widens).toBe(true);
  });

  test('NotAction and NotResource widen and are flagged', () => {
    const notAction: PolicyStatementInput = { Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' };
    const diff = diffPolicies(doc(read), doc(read, notAction));
    expect(diff.widens).toBe(true);
    expect(diff.reasons).toEqual(['adds Allow every action except iam:* on * (statement #2)']);
    expect(grantWarnings(diff.widening, 'role r')).toEqual([
      'statement #2 uses NotAction: role r would be allowed every action except iam:* on *',
      'statement #2 applies to every resource (*)',
      'statement #2 grants sts:AssumeRole on *: it can assume other roles',
    ]);
    const notResource: PolicyStatementInput = { Effect: 'Allow', Action: 's3:GetObject', NotResource: `${BUCKET}/secret/*` };
    expect(grantWarnings(diffPolicies(doc(read), doc(notResource)).widening, 'role r')).toEqual([
      'statement #1 uses NotResource: it applies to every resource except arn:aws:s3:::reports/secret/*',
    ]);
    expect(grantFlags(normalizePolicy(doc(notAction)))).toEqual({ wildcardAction: true, wildcardResource: true });
  });

  test('what a current NotAction statement allows is not widening', () => {
    const current = doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    expect(diffPolicies(current, doc(read)).widens).toBe(false);
    expect(diffPolicies(current, doc({ ...read, Action: 'iam:PassRole' })).widens).toBe(true);
    expect(diffPolicies(current, doc({ ...read, Action: 's3:*' })).widens).toBe(true);
    expect(diffPolicies(current, doc({ Effect: 'Allow', NotAction: ['iam:*', 'sts:*'], Resource: '*' })).widens).toBe(false);
    expect(diffPolicies(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })).widens).toBe(false);
  });

  test('no current policy: every Allow statement is new access; Deny-only is not', () => {
    const diff = diffPolicies(undefined, doc(read));
    expect(diff.added).toHaveLength(1);
    expect(diff.widens).toBe(true);
    expect(diff.reasons).toEqual(['adds Allow s3:GetObject on arn:aws:s3:::reports/* (statement "Read")']);
    expect(diff.addedActions).toEqual(['s3:GetObject']);
    expect(diffPolicies(undefined, doc({ Effect: 'Deny', Action: '*', Resource: '*' })).widens).toBe(false);
  });

  test('iam:PassRole and sts:AssumeRole are flagged however they are granted', () => {
    const warnings = grantWarnings(
      normalizePolicy(doc({ Sid: 'Iam', Effect: 'Allow', Action: ['iam:*', 'STS:assumerole'], Resource: 'arn:aws:iam::111122223333:role/x' })),
      'role r',
    );
    expect(warnings).toEqual([
      'statement "Iam" grants wildcard actions iam:* on arn:aws:iam::111122223333:role/x',
      'statement "Iam" grants iam:PassRole on arn:aws:iam::111122223333:role/x: it can hand roles to AWS services, a privilege-escalation path',
      'statement "Iam" grants sts:AssumeRole on arn:aws:iam::111122223333:role/x: it can assume other roles',
    ]);
    expect(grantWarnings(normalizePolicy(doc({ Effect: 'Deny', Action: '*', Resource: '*' })), 'role r')).toEqual([]);
    expect(grantWarnings(normalizePolicy(doc({ ...read, Resource: `${BUCKET}/q3.csv` })), 'role r')).toEqual([]);
    // Any wildcard in a resource is worth a look, a whole bucket's objects included.
    expect(grantWarnings(normalizePolicy(doc(read)), 'role r')).toEqual(['statement "Read" applies to wildcard resources arn:aws:s3:::reports/*']);
  });

  test('setIncludes matches globs case-insensitively and inverts NotAction', () => {
    expect(setIncludes({ mode: 'only', patterns: ['iam:Pass*'] }, 'iam:PassRole')).toBe(true);
    expect(setIncludes({ mode: 'only', patterns: ['iam:Get*'] }, 'iam:PassRole')).toBe(false);
    expect(setIncludes({ mode: 'except', patterns: ['iam:*'] }, 'iam:PassRole')).toBe(false);
    expect(setIncludes({ mode: 'except', patterns: ['s3:*'] }, 'iam:PassRole')).toBe(true);
  });
});
