import type { AwsCredentialIdentity } from '@smithy/types';
import { ClientLease, RENEW_WHEN_LEFT_MS } from '../../../operations/credential-lease';

/** A client that remembers the credentials it was built on and whether it was destroyed. */
interface FakeClient {
  keyId: string;
  destroyed: boolean;
  destroy(): void;
}

function leaseAt(clock: { now: number }, windowMs: number) {
  const built: FakeClient[] = [];
  let issued = 1;
  const credentials = (n: number): AwsCredentialIdentity => ({ accessKeyId: `KEY${n}`, secretAccessKey: `s${n}` });
  const lease = new ClientLease(
    {
      credentials: credentials(1),
      usableUntil: new Date(clock.now + windowMs),
      renewCredentials: async () => {
        issued += 1;
        return { credentials: credentials(issued), usableUntil: new Date(clock.now + windowMs) };
      },
    },
    (given) => {
      const client: FakeClient = { keyId: given.accessKeyId, destroyed: false, destroy: () => (client.destroyed = true) };
      built.push(client);
      return client;
    },
    () => clock.now,
  );
  return { lease, built };
}

describe('ClientLease', () => {
  test('keeps its client while the credentials have time left, then renews them and rebuilds the client', async () => {
    const clock = { now: 0 };
    const { lease, built } = leaseAt(clock, 60_000);
    expect((await lease.client()).keyId).toBe('KEY1');
    clock.now = 60_000 - RENEW_WHEN_LEFT_MS - 1;
    expect((await lease.client()).keyId).toBe('KEY1');
    clock.now = 60_000 - RENEW_WHEN_LEFT_MS + 1; // less than 10 s left: a new batch
    expect((await lease.client()).keyId).toBe('KEY2');
    expect(built.map((client) => [client.keyId, client.destroyed])).toEqual([
      ['KEY1', true],
      ['KEY2', false],
    ]);
    expect(lease.renewals).toBe(1);
    lease.destroy();
    expect(built[1]?.destroyed).toBe(true);
  });

  test('an operation whose window is shorter than the margin renews before every step', async () => {
    const clock = { now: 0 };
    const { lease } = leaseAt(clock, 1_000);
    const keys = [];
    for (let step = 0; step < 3; step++) keys.push((await lease.client()).keyId);
    expect(keys).toEqual(['KEY2', 'KEY3', 'KEY4']);
  });
});
