import type { FastifyInstance } from 'fastify';
import { AuditEventKind } from '../../../domain/audit-events';
import type { ConsoleContext } from '../plugin';
import { DecisionsTable, type MyDecision } from '../views/decisions-table';
import { sendConsolePage } from './frame';
import type { ConsolePageDeps } from './index';

/** How many of a person's latest votes the page lists. */
const LIMIT = 100;

/**
 * `GET /console/decisions`: the votes this person cast, newest first, in any channel, read from the
 * audit trail (its index on the actor): it records every vote, rejections included, which Temporal
 * visibility does not.
 */
export async function myDecisionsPage(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get('/console/decisions', { preHandler: context.requireSession }, async (request, reply) => {
    const session = context.session(request);
    const latest: MyDecision[] = [];
    for await (const record of deps.audit.records({ actor: session.identity })) {
      if (record.kind !== AuditEventKind.VoteRecorded) continue;
      const { verdict, channel, comment } = record.data;
      latest.push({
        actionId: record.actionId,
        verdict: verdict === 'reject' ? 'reject' : 'approve',
        channel: typeof channel === 'string' ? channel : '',
        ...(typeof comment === 'string' ? { comment } : {}),
        at: record.occurredAt,
      });
      if (latest.length > LIMIT) latest.shift();
    }
    return sendConsolePage(
      context,
      request,
      reply,
      { title: 'My decisions', current: 'decisions' },
      <>
        <h1>My decisions</h1>
        <p class="lead">{`Your votes in every channel, newest first (the latest ${LIMIT}).`}</p>
        <DecisionsTable decisions={latest.reverse()} />
      </>,
    );
  });
}
