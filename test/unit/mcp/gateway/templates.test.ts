import fc from 'fast-check';
import { GatewayConfigError, parseGatewayConfig } from '../../../../mcp/gateway/load';
import { renderSessionPolicy, SessionPolicyTemplateError } from '../../../../mcp/gateway/templates';

/** A gateway file with one aws-one-shot server whose tool `put` has the given resource templates. */
function withResources(resources: string[], credentials = 'aws-one-shot'): string {
  return [
    'version: 1',
    'servers:',
    '  notes:',
    '    transport: stdio',
    '    command: node',
    `    credentials: ${credentials}`,
    '    tools:',
    '      put:',
    '        sessionPolicy:',
    '          - actions: [s3:PutObject]',
    `            resources: [${resources.map((resource) => JSON.stringify(resource)).join(', ')}]`,
    '',
  ].join('\n');
}

function loadError(text: string): string {
  try {
    parseGatewayConfig(text, 'gateway.yaml', { env: {} });
  } catch (err) {
    if (err instanceof GatewayConfigError) return err.message;
    throw err;
  }
  throw new Error('the file loaded');
}

describe('session policy templates in the gateway config', () => {
  it('loads templates whose arguments only fill parts of a resource', () => {
    const config = parseGatewayConfig(withResources(['arn:aws:s3:::{bucket}/reports/{key}', 'arn:aws:s3:::fixed/*']), 'gateway.yaml', { env: {} });
    const server = config.server('notes');
    expect(server?.transport === 'stdio' && server.credentials).toBe('aws-one-shot');
  });

  it.each([
    ['{arn}', 'would be all argument: the agent would choose the whole resource'],
    ['arn:aws:s3:::{bucket}*', 'has a wildcard next to an argument'],
    ['arn:aws:s3:::b/?{key}', 'has a wildcard next to an argument'],
    ['arn:aws:s3:::{bucket', 'has an unmatched { or }'],
    ['arn:aws:s3:::{a b}', '{a b} is not an argument name'],
  ])('refuses %s at load, naming line and field', (resource, problem) => {
    expect(loadError(withResources([resource]))).toContain(`gateway.yaml:11: servers.notes.tools.put.sessionPolicy[0].resources[0]: ${problem}`);
  });

  it('refuses a wildcard action and a session policy on a server without per-call credentials', () => {
    const wildcard = withResources(['arn:aws:s3:::b/{key}']).replace('[s3:PutObject]', '["s3:Put*"]');
    expect(loadError(wildcard)).toContain('gateway.yaml:10: servers.notes.tools.put.sessionPolicy[0].actions[0]: must be an IAM action such as s3:GetObject');
    expect(loadError(withResources(['arn:aws:s3:::b/{key}'], 'none'))).toContain(
      'servers.notes.tools.put.sessionPolicy: is used only by a stdio server with credentials: aws-one-shot',
    );
  });

  it('fills each template from the arguments, nested ones by dotted path', () => {
    const policy = renderSessionPolicy([{ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::{target.bucket}/{key}', 'arn:aws:s3:::logs/{n}'] }], {
      target: { bucket: 'exports' },
      key: 'a/b.txt',
      n: 7,
    });
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::exports/a/b.txt', 'arn:aws:s3:::logs/7'] }],
    });
  });

  it('refuses a missing, empty, non-string or widening value, naming the argument', () => {
    const statements = [{ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::{bucket}/{key}'] }];
    const problem = (args: Record<string, unknown>): string => {
      try {
        renderSessionPolicy(statements, args);
      } catch (err) {
        if (err instanceof SessionPolicyTemplateError) return err.message;
        throw err;
      }
      return 'rendered';
    };
    expect(problem({ key: 'k' })).toBe('arguments.bucket: required: the session policy names it');
    expect(problem({ bucket: '', key: 'k' })).toMatch(/^arguments.bucket: must not be empty/);
    expect(problem({ bucket: ['a'], key: 'k' })).toMatch(/^arguments.bucket: must be a string/);
    expect(problem({ bucket: 'b', key: '${aws:username}' })).toMatch(/^arguments.key: must not contain \*, \?, \$/);
    expect(problem({ bucket: 'b', key: 'k' })).toBe('rendered');
  });

  it('never lets a wildcard, policy variable or brace from any argument into the policy', () => {
    const statements = [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/{key}'] }];
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (key) => {
        let rendered: string[] = [];
        try {
          rendered = renderSessionPolicy(statements, { key }).Statement.flatMap((statement) => statement.Resource);
        } catch (err) {
          if (!(err instanceof SessionPolicyTemplateError)) throw err;
          return;
        }
        for (const resource of rendered) expect(resource.slice('arn:aws:s3:::reports/'.length)).not.toMatch(/[*?${}]/);
      }),
      { numRuns: 2000 },
    );
  });
});
