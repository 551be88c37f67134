import { renderedLines, whatPageLacks, type RenderedWorkflowPage, type WorkflowPageExpectation } from '../../../scripts/lib/workflow-page-check';

const decided = new Date('2026-11-29T20:22:25.874Z');
const expected: WorkflowPageExpectation = {
  workflowId: 'action-s3.copyObject-wkvumstvynzwuzan',
  summary: 'etl-bot asks: copy s3://airlock-source/reports/2026-q3.csv to s3://airlock-exports/partners/q3.csv',
  details: '**Requester:** etl-bot (via api)\n\n**Params:**\n- `sourceBucket`: "airlock-source"\n\n**Justification:** Partner forecast',
  attributes: [
    { name: 'AirlockStatus', value: 'succeeded' },
    { name: 'AirlockApprovers', value: ['alice'] },
    { name: 'AirlockDecisionTime', value: decided },
  ],
};

/** What the UI rendered for `expected` on this machine: curled quotes, bullets kept, markdown marks gone. */
function rendered(overrides: Partial<RenderedWorkflowPage> = {}): RenderedWorkflowPage {
  return {
    text: [
      'COMPLETED action-s3.copyObject-wkvumstvynzwuzan',
      'Summary etl-bot asks: copy s3://airlock-source/reports/2026-q3.csv to',
      's3://airlock-exports/partners/q3.csv',
      'Details Requester: etl-bot (via api)',
      'Params:\n- sourceBucket: \u201cairlock-source\u201d',
      'Justification: Partner forecast',
      '"AirlockStatus": "succeeded", "AirlockApprovers": ["alice"], "AirlockDecisionTime": "2026-11-29T20:22:25.874Z"',
    ].join('\n'),
    searchAttributes: {
      AirlockStatus: 'succeeded',
      AirlockApprovers: ['alice'],
      AirlockDecisionTime: '2026-11-29T20:22:25.874Z',
      BuildIds: ['unversioned'],
    },
    ...overrides,
  };
}

describe('whatPageLacks (the screenshot script refuses a page that does not show the workflow)', () => {
  test('a page with id, summary, details and every attribute lacks nothing', () => {
    expect(whatPageLacks(rendered(), expected)).toEqual([]);
  });

  test('names each missing piece: id, a details line, an attribute, a wrong value, an attribute the workflow never set', () => {
    const page = rendered({
      text: rendered().text.replace('action-s3.copyObject-wkvumstvynzwuzan', 'action-other').replace('Partner forecast', ''),
      searchAttributes: { AirlockStatus: 'pending_review', AirlockDecisionTime: '2026-11-29T20:22:25.874Z' },
    });
    const withUnset = { ...expected, attributes: [...expected.attributes, { name: 'AirlockRisk', value: undefined }] };
    expect(whatPageLacks(page, withUnset)).toEqual([
      'the workflow id action-s3.copyObject-wkvumstvynzwuzan',
      'details line "Justification: Partner forecast"',
      'search attribute AirlockStatus = "succeeded" (shown: "pending_review")',
      'search attribute AirlockApprovers',
      'search attribute AirlockRisk: the workflow has no value for it',
    ]);
  });

  test('a Datetime matches however many fraction digits the UI prints, and only the same instant', () => {
    const at = (shown: string) => whatPageLacks(rendered({ searchAttributes: { ...rendered().searchAttributes, AirlockDecisionTime: shown } }), expected);
    expect(at('2026-11-29T20:22:25.874000000Z')).toEqual([]);
    expect(at('2026-11-29T20:22:26Z')).toHaveLength(1);
  });
});

describe('renderedLines', () => {
  test('drops emphasis, code marks, bullets and blank lines', () => {
    expect(renderedLines(expected.details)).toEqual([
      'Requester: etl-bot (via api)',
      'Params:',
      'sourceBucket: "airlock-source"',
      'Justification: Partner forecast',
    ]);
  });
});
