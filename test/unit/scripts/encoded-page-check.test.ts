import { paramsMissingFromInput, plaintextMarkers, plaintextShown } from '../../../scripts/lib/encoded-page-check';
import type { WorkflowPageExpectation } from '../../../scripts/lib/workflow-page-check';

const params = { sourceBucket: 'airlock-source', destinationKey: 'partners/northwind/q3.csv' };
const expected: WorkflowPageExpectation = {
  workflowId: 'action-s3.copyObject-wkvumstvynzwuzan',
  summary: 'etl-bot asks: copy s3://airlock-source/reports/q3.csv to s3://airlock-exports/partners/northwind/q3.csv',
  details: '**Requester:** etl-bot (via api)\n\n**Params:**\n- `sourceBucket`: "airlock-source"\n\n**Justification:** Partner forecast',
  attributes: [{ name: 'AirlockStatus', value: 'succeeded' }],
};
const markers = plaintextMarkers(expected, params);

describe('plaintextShown (the page of an encrypted workflow, before the codec decodes it)', () => {
  test('finds nothing on the page the UI shows when the codec refuses it', () => {
    const encoded = [
      'COMPLETED action-s3.copyObject-wkvumstvynzwuzan Codec Server could not connect',
      'Input "kd0o2JSrYA/1cNbElTZtlqaIvwMY6SRFQSPAi1/X9q+iILZEG7JjbNCp7K11zV8J0ODKjAbtrtEf95FRnnK8x"',
      'Summary No summary available Details No details available',
      '"AirlockStatus": "succeeded", "AirlockRequester": "etl-bot"',
    ].join('\n');
    expect(plaintextShown(encoded, markers)).toEqual([]);
  });

  test('names every summary line, details line and param value the page shows', () => {
    const leaked =
      'Summary etl-bot asks: copy s3://airlock-source/reports/q3.csv to\ns3://airlock-exports/partners/northwind/q3.csv\nJustification: Partner forecast';
    expect(plaintextShown(leaked, markers)).toEqual([expected.summary, 'Justification: Partner forecast', 'airlock-source', 'partners/northwind/q3.csv']);
  });

  test('sees a details line through the quotes the markdown renderer curls', () => {
    expect(plaintextShown('sourceBucket: \u201cairlock-source\u201d', ['sourceBucket: "airlock-source"'])).toEqual(['sourceBucket: "airlock-source"']);
  });
});

describe('paramsMissingFromInput (the Input panel once decoded)', () => {
  test('is empty when the panel holds the request with every param', () => {
    expect(paramsMissingFromInput(JSON.stringify({ action: 's3.copyObject', params, justification: 'x' }, null, 2), params)).toEqual([]);
  });

  test('says so when the panel holds ciphertext, no params, or another value', () => {
    expect(paramsMissingFromInput('"kd0o2JSrYA/1cNbElTZtlqaIvwMY6SRFQ"', params)).toEqual(['the Input panel shows no params']);
    expect(paramsMissingFromInput('kd0o2JSrYA', params)).toEqual(['the Input panel holds no JSON: "kd0o2JSrYA"']);
    expect(paramsMissingFromInput(JSON.stringify({ params: { ...params, destinationKey: 'elsewhere' } }), params)).toEqual([
      'input param destinationKey = "partners/northwind/q3.csv" (shown: "elsewhere")',
    ]);
  });
});
