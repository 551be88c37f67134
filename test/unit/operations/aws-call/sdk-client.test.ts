import { loadCall } from '../../../../operations/aws-call/sdk-client';

/** Stands in for the network: records where the signed request was going, and sends nothing. */
class Captured extends Error {
  constructor(readonly hostname: string) {
    super(`would send to ${hostname}`);
  }
}

interface StackedClient {
  middlewareStack: {
    add(middleware: (next: unknown) => (args: { request: { hostname: string } }) => Promise<never>, options: { step: string; priority: string }): void;
  };
}

describe('aws.call clients', () => {
  it('send an SQS call to SQS, never to the host a QueueUrl from input names (the session token would go there)', async () => {
    const { client, command: Command } = await loadCall('sqs', 'PurgeQueue', {
      region: 'us-east-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'one-shot-token' },
    });
    try {
      // The SDK's own client type hides its middleware stack from `AnyAwsClient`.
      (client as unknown as StackedClient).middlewareStack.add(
        () => async (args) => {
          throw new Captured(args.request.hostname);
        },
        { step: 'finalizeRequest', priority: 'low' },
      );
      const sent = client.send(new Command({ QueueUrl: 'https://attacker.example.net/123456789012/jobs' }));
      await expect(sent).rejects.toBeInstanceOf(Captured);
      await expect(sent).rejects.toMatchObject({ hostname: 'sqs.us-east-1.amazonaws.com' });
    } finally {
      client.destroy();
    }
  });
});
