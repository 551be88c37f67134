import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { exportedHistoryJson } from '../support/history';
import { startSlackDouble, type SlackDouble } from '../support/slack-double';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { startTeamsDouble, type TeamsDouble } from '../support/teams-double';
import { putObject, testS3 } from '../support/test-aws';

/**
 * Records one history per path through the workflow into test/replay/histories/<set>/ for the
 * replay test. Run deliberately: `HISTORY_SET=<date>-<topic> npm run record-histories`, after a
 * workflow change and when a release is cut, to add a set. Existing sets are never overwritten:
 * they prove that new code still replays what is already running. The set's `RELEASE` file names
 * the release whose code recorded it (package.json's version), which decides how long the set is
 * kept (docs/architecture.md#versioning, test/unit/workflows/patches.test.ts).
 */
const SET = process.env.HISTORY_SET ?? '';
const OUT = join(__dirname, 'histories', SET);
const RELEASE = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
const SLACK = { token: 'xoxb-record', signingSecret: 'record-signing-secret', channel: 'C0APPROVALS' };

describe('record histories', () => {
  let stack: Stack;
  let slackStack: Stack;
  let timersStack: Stack;
  let teamsStack: Stack;
  let slack: SlackDouble;
  let teams: TeamsDouble;
  let receiver: Server;
  let receiverUrl = '';
  const s3 = testS3();

  beforeAll(async () => {
    if (!/^\d{4}-\d{2}-\d{2}-[a-z0-9.-]+$/.test(SET)) throw new Error('set HISTORY_SET=<yyyy-mm-dd>-<topic>');
    if (existsSync(OUT)) throw new Error(`${OUT} exists: histories are never overwritten; choose a new set name`);
    const bundle = await bundleWorkflows();
    slack = await startSlackDouble({ token: SLACK.token, channels: { 'data-approvals': SLACK.channel, security: 'C0SECURITY' } });
    stack = await startStack(bundle);
    slackStack = await startStack(bundle, {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-slack.yaml'),
      slack: { botToken: SLACK.token, apiUrl: slack.apiUrl, signingSecret: SLACK.signingSecret },
    });
    timersStack = await startStack(bundle, {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-reminders.yaml'),
      slack: { botToken: SLACK.token, apiUrl: slack.apiUrl, signingSecret: SLACK.signingSecret },
    });
    teams = await startTeamsDouble({ appId: 'airlock-record-app', appPassword: 'airlock-record-app-password' });
    teamsStack = await startStack(bundle, {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-teams.yaml'),
      teams: { appId: teams.appId, appPassword: teams.appPassword, serviceUrl: teams.serviceUrl, tokenUrl: teams.tokenUrl },
    });
    receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/airlock`;
    stack.allowCallbacksTo(receiverUrl);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'RELEASE'), `${RELEASE}\n`);
  });
  afterAll(async () => {
    await stack?.stop();
    await slackStack?.stop();
    await timersStack?.stop();
    await teamsStack?.stop();
    await slack?.stop();
    await teams?.close();
    if (receiver) await new Promise((resolve) => receiver.close(resolve));
    s3.destroy();
  });

  async function request(on: Stack, destinationBucket: string, keyPrefix: string, as = 'etl-bot', extra: object = {}): Promise<string> {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'id,value\n1,2\n');
    const response = await on.call(as, 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket, destinationKey: `${keyPrefix}/${randomUUID()}.csv` },
      justification: 'Recorded history for the replay test',
      ...extra,
    });
    expect(response.statusCode).toBe(202);
    return response.json().id;
  }

  async function save(on: Stack, name: string, id: string): Promise<void> {
    await on.client.workflow.getHandle(id).result();
    writeFileSync(join(OUT, `${name}.json`), await exportedHistoryJson(id));
  }

  const vote = (on: Stack, as: string, id: string, decision: string, comment?: string) =>
    on.call(as, 'POST', `/v1/actions/${id}/decisions`, { decision, ...(comment ? { comment } : {}) });

  /** Waits until the workflow has posted its Slack message, so the votes land after it. */
  async function posted(id: string): Promise<void> {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      if (slack.messages(SLACK.channel).some((message) => JSON.stringify(message.blocks).includes(id))) return;
    }
    throw new Error(`no Slack message for ${id}`);
  }

  it('records each final state', async () => {
    const approved = await request(stack, 'airlock-exports', 'quorum-2');
    await vote(stack, 'alice', approved, 'approve');
    await vote(stack, 'bob', approved, 'approve');
    await save(stack, 'approved-quorum-2', approved);

    await save(stack, 'auto-allowed', await request(stack, 'airlock-scratch', 'reports'));
    await save(stack, 'denied', await request(stack, 'airlock-elsewhere', 'reports'));

    const rejected = await request(stack, 'airlock-exports', 'reports');
    await vote(stack, 'carol', rejected, 'reject', 'Not approved for export');
    await save(stack, 'rejected', rejected);

    const cancelled = await request(stack, 'airlock-exports', 'reports');
    await stack.call('etl-bot', 'POST', `/v1/actions/${cancelled}/cancel`, { reason: 'no longer needed' });
    await save(stack, 'cancelled', cancelled);

    await save(stack, 'expired', await request(stack, 'airlock-exports', 'expire-fast'));

    const refused = await request(stack, 'airlock-exports', 'quorum-2', 'alice');
    await vote(stack, 'alice', refused, 'approve'); // self
    await vote(stack, 'mallory', refused, 'approve'); // not an approver
    await vote(stack, 'bob', refused, 'approve');
    await vote(stack, 'bob', refused, 'approve'); // double
    await vote(stack, 'carol', refused, 'approve');
    await save(stack, 'refused-votes', refused);
  });

  it('records Slack and callback deliveries', async () => {
    const approved = await request(slackStack, 'airlock-exports', 'quorum-2');
    await posted(approved);
    await vote(slackStack, 'alice', approved, 'approve');
    await vote(slackStack, 'bob', approved, 'approve');
    await save(slackStack, 'slack-approved', approved);

    const rejected = await request(slackStack, 'airlock-exports', 'reports');
    await posted(rejected);
    await vote(slackStack, 'carol', rejected, 'reject', 'Not approved for export');
    await save(slackStack, 'slack-rejected', rejected);

    const broken = await request(slackStack, 'airlock-exports', 'broken-channel');
    for (let i = 0; i < 100 && !(await slackStack.call('bob', 'GET', `/v1/actions/${broken}`)).json().notifications.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await vote(slackStack, 'bob', broken, 'approve');
    await save(slackStack, 'slack-channel-failed', broken);

    await save(stack, 'callback-delivered', await request(stack, 'airlock-scratch', 'reports', 'etl-bot', { callbackUrl: receiverUrl }));
  });

  it('records Teams deliveries (the teams-channel patch)', async () => {
    const postedCard = async (id: string): Promise<void> => {
      await teams.waitFor(() => teams.activities().some((activity) => JSON.stringify(activity).includes(id)), 20_000);
    };
    const approved = await request(teamsStack, 'airlock-exports', 'quorum-2');
    await postedCard(approved);
    await vote(teamsStack, 'alice', approved, 'approve');
    await vote(teamsStack, 'bob', approved, 'approve');
    await save(teamsStack, 'teams-approved', approved);

    const rejected = await request(teamsStack, 'airlock-exports', 'reports');
    await postedCard(rejected);
    await vote(teamsStack, 'carol', rejected, 'reject', 'Not approved for export');
    await save(teamsStack, 'teams-rejected', rejected);
  });

  it('records reminders and escalation', async () => {
    const escalated = await request(timersStack, 'airlock-exports', 'escalate');
    await posted(escalated);
    for (let i = 0; i < 200 && !(await timersStack.call('mallory', 'GET', `/v1/actions/${escalated}`)).json().review.escalation.escalatedAt; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await vote(timersStack, 'mallory', escalated, 'approve');
    await save(timersStack, 'slack-escalated', escalated);
    await save(timersStack, 'reminded-expired', await request(timersStack, 'airlock-exports', 'reports'));
  });
});
