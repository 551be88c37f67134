import Fastify, { type FastifyInstance } from 'fastify';
import { TEAMS_VERBS, type TeamsVerb } from '../../../../channels/teams/card';
import type { ActionRead } from '../../../../domain/actions-port';
import { ActionNotFoundError, ActionRefusedError } from '../../../../domain/errors';
import { installJsonBodyParser } from '../../../../api/json-body';
import { teamsMessageRoutes } from '../../../../channels/teams/inbound/messages';
import { TEAMS_REFUSAL_TEXT, TEAMS_TEXT } from '../../../../channels/teams/inbound/texts';
import { BotTokenVerifier } from '../../../../channels/teams/inbound/verify-token';
import { parsePolicy } from '../../../../policy';
import type { ActionState, DecideInput } from '../../../../domain/types';
import { RefusalCode } from '../../../../domain/types';
import { sampleActionState, SAMPLE_ACTION_ID as ACTION_ID } from '../../../support/action-state';
import { startBotFrameworkIssuer, TEST_TEAMS_APP_ID, type BotFrameworkIssuer } from '../../../support/bot-framework-tokens';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const AAD = { alice: '0A1B2C3D-0000-4000-8000-00000000A11C', stranger: '0a1b2c3d-0000-4000-8000-00000000dead' } as const;

const policy = parsePolicy(
  `version: 1
identities:
  alice: { teams: ${AAD.alice.toLowerCase()} }
groups:
  data-owners: [alice]
rules: []
`,
  'teams-messages.yaml',
);

type Decide = (actionId: string, decision: DecideInput, updateId?: string) => Promise<ActionState>;
type Get = (actionId: string) => Promise<ActionRead>;

let issuer: BotFrameworkIssuer;
beforeAll(async () => {
  issuer = await startBotFrameworkIssuer();
});
afterAll(() => issuer.stop());

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** The plugin alone on a bare app, with the real verifier (local keys) and a fake ActionsService. */
async function start(consoleUrl?: string) {
  const decide = jest.fn<Promise<ActionState>, Parameters<Decide>>(async () => sampleActionState({ votes: [] }));
  const get = jest.fn<Promise<ActionRead>, Parameters<Get>>(async () => ({ state: sampleActionState(), live: true }));
  const app = Fastify({ logger: false });
  installJsonBodyParser(app);
  await app.register(teamsMessageRoutes, {
    actions: { decide, get },
    policy: () => policy,
    verifier: new BotTokenVerifier({ appId: TEST_TEAMS_APP_ID, jwksUrl: issuer.jwksUrl }),
    links: { namespace: 'default', ...(consoleUrl ? { consoleUrl } : {}) },
  });
  apps.push(app);
  // Listening, not `inject`: light-my-request needs an ES-module-only `cookie` that jest cannot load.
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/teams/messages`;
  return { app: url, decide, get };
}

function cardAction(verb: TeamsVerb, data: Record<string, unknown> = { actionId: ACTION_ID }, from: string = AAD.alice) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: 'f:1234',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: '29:x', aadObjectId: from },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

async function post(url: string, body: unknown, authorization?: string | null) {
  const header = authorization === undefined ? `Bearer ${await issuer.signToken({ serviceUrl: SERVICE_URL })}` : authorization;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header !== null ? { authorization: header } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { statusCode: response.status, body: text, json: (): unknown => JSON.parse(text) };
}

describe('POST /teams/messages', () => {
  it('refuses an unauthenticated request before reading its body', async () => {
    const { app, decide } = await start();
    const response = await post(app, '{ not json', null);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    expect(decide).not.toHaveBeenCalled();
  });

  it('refuses a good token on a body that is not an activity', async () => {
    const { app, decide } = await start();
    const response = await post(app, [1, 2, 3]);
    expect(response.statusCode).toBe(401);
    expect(decide).not.toHaveBeenCalled();
  });

  it('acknowledges a message activity and does nothing', async () => {
    const { app, decide, get } = await start();
    const response = await post(app, { type: 'message', id: 'm1', channelId: 'msteams', serviceUrl: SERVICE_URL, text: 'hi' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(decide).not.toHaveBeenCalled();
    expect(get).not.toHaveBeenCalled();
  });

  it('answers 501 to an invoke it does not handle', async () => {
    const { app } = await start();
    const response = await post(app, { ...cardAction(TEAMS_VERBS.approve), name: 'composeExtension/query' });
    expect(response.statusCode).toBe(501);
  });

  it('answers an invoke that is not an Airlock card action with an error response', async () => {
    const { app, decide } = await start();
    const response = await post(app, cardAction('airlock.delete' as TeamsVerb));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest' } });
    expect(decide).not.toHaveBeenCalled();
  });

  it('turns Approve into a decide Update keyed by the invoke, for the mapped identity, and returns the card', async () => {
    const { app, decide } = await start();
    const response = await post(app, cardAction(TEAMS_VERBS.approve, { actionId: ACTION_ID, reason: '  fine  ' }));
    expect(decide).toHaveBeenCalledWith(ACTION_ID, { reviewer: 'alice', verdict: 'approve', channel: 'teams', comment: 'fine' }, `teams:${AAD.alice}:f:1234`);
    expect(response.json()).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { type: 'AdaptiveCard' } });
    expect(JSON.stringify(response.json())).toContain(TEAMS_TEXT.approved);
  });

  it('asks for a reason on Reject without one, and sends nothing', async () => {
    const { app, decide } = await start();
    const response = await post(app, cardAction(TEAMS_VERBS.reject, { actionId: ACTION_ID, reason: ' ' }));
    expect(JSON.stringify(response.json())).toContain(TEAMS_TEXT.reasonRequired);
    expect(decide).not.toHaveBeenCalled();
  });

  it('shows a refusal to the clicking user on the current card', async () => {
    const { app, decide } = await start();
    decide.mockRejectedValueOnce(new ActionRefusedError(RefusalCode.SelfApproval, 'the requester cannot vote'));
    const response = await post(app, cardAction(TEAMS_VERBS.approve));
    expect(response.json()).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(JSON.stringify(response.json())).toContain(TEAMS_REFUSAL_TEXT[RefusalCode.SelfApproval]);
  });

  it("sends the clicking user of a step-up rule to the action's console page", async () => {
    const { app, decide } = await start('https://airlock.example.com');
    decide.mockRejectedValueOnce(new ActionRefusedError(RefusalCode.StepUpRequired, 'this rule asks for a recent sign-in'));
    const card = JSON.stringify((await post(app, cardAction(TEAMS_VERBS.approve))).json());
    expect(card).toContain('recent sign-in');
    expect(card).toContain(`https://airlock.example.com/console/actions/${ACTION_ID}`);
  });

  it('tells an unlinked user so, and sends nothing', async () => {
    const { app, decide } = await start();
    const response = await post(app, cardAction(TEAMS_VERBS.approve, { actionId: ACTION_ID }, AAD.stranger));
    expect(JSON.stringify(response.json())).toContain(TEAMS_TEXT.notLinked(AAD.stranger));
    expect(decide).not.toHaveBeenCalled();
  });

  it('answers with a message when the action cannot be read', async () => {
    const { app, get } = await start();
    get.mockRejectedValueOnce(new ActionNotFoundError(ACTION_ID, 'no such action'));
    const response = await post(app, cardAction(TEAMS_VERBS.refresh));
    expect(response.json()).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: TEAMS_REFUSAL_TEXT['action_not_found'] });
  });

  it('answers with a message, not a 500, when the decision fails unexpectedly', async () => {
    const { app, decide } = await start();
    decide.mockRejectedValueOnce(new Error('boom'));
    const response = await post(app, cardAction(TEAMS_VERBS.approve));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: TEAMS_TEXT.somethingWentWrong });
  });
});
