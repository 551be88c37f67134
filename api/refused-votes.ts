import { createHash, randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log';
import { AuditEventKind } from '../domain/audit-events';
import type { DecideInput, JsonObject } from '../domain/types';
import type { ApiMetrics } from './metrics';

/** Refused votes one reviewer puts on record per action; later ones are counted, not written. */
export const REFUSED_VOTES_ON_RECORD = 3;

/** A refused vote's comment is kept to this many characters (code points), with the sha256 of the whole. */
export const REFUSED_VOTE_COMMENT_CHARS = 256;

/** Rows asked of the store at a time while counting: a reviewer has a handful of events on one action. */
const COUNT_PAGE_SIZE = 20;

/** A vote the workflow's validator refused, as the API saw it. */
export interface RefusedVote {
  actionId: string;
  decision: DecideInput;
  refusal: { code: string; message: string };
  /** The vote's Update id, when it has one: a retried vote is then recorded once. */
  updateId?: string;
}

/** What became of a refused vote. */
export type RefusedVoteOutcome = 'recorded' | 'already_recorded' | 'not_recorded';

export interface RefusedVoteRecorderOptions {
  /** Where a refused vote that is not written is reported (a warning); the API's logger is one. */
  log?: { warn(details: Record<string, unknown>, message: string): void };
  /** Where it is counted (`airlock_refused_votes_not_recorded_total`). */
  metrics?: Pick<ApiMetrics, 'countRefusedVoteNotRecorded'>;
  /** Default `REFUSED_VOTES_ON_RECORD`. */
  onRecordPerReviewer?: number;
}

/**
 * Decides what a refused vote writes to the audit trail. A refusal never reaches the workflow, so
 * nothing else bounds it: without this, any reviewer could write hundreds of records a minute with
 * 2,000-character comments. The first few refusals of a reviewer on an action are written, each
 * with its comment cut to 256 characters and the sha256 of the whole (enough to prove what was
 * sent); later ones are counted in a metric and logged as a warning, not written. The count is read
 * from the trail itself, so it holds across API instances and restarts. Two refusals racing on
 * different instances may both be written: the bound is a few records, not an exact number.
 */
export class RefusedVoteRecorder {
  private readonly onRecordPerReviewer: number;

  constructor(
    private readonly audit: AuditLog,
    private readonly options: RefusedVoteRecorderOptions = {},
  ) {
    this.onRecordPerReviewer = options.onRecordPerReviewer ?? REFUSED_VOTES_ON_RECORD;
  }

  /** Writes the refusal, or counts it; rejects when the audit store cannot be read or written. */
  async record(vote: RefusedVote): Promise<RefusedVoteOutcome> {
    const { actionId, decision, refusal } = vote;
    const eventId = `${actionId}/refused/${vote.updateId ?? randomUUID()}`;
    const standing = await this.standing(actionId, decision.reviewer, eventId);
    if (standing === 'this_one') return 'already_recorded';
    if (standing >= this.onRecordPerReviewer) {
      this.options.metrics?.countRefusedVoteNotRecorded(refusal.code);
      this.options.log?.warn(
        { actionId, reviewer: decision.reviewer, channel: decision.channel, code: refusal.code, onRecord: standing },
        'refused vote not recorded: the reviewer already has the most allowed on record for this action',
      );
      return 'not_recorded';
    }
    await this.audit.append([
      {
        eventId,
        kind: AuditEventKind.VoteRefused,
        actionId,
        actor: decision.reviewer,
        occurredAt: new Date().toISOString(),
        data: refusedVoteData(vote),
      },
    ]);
    return 'recorded';
  }

  /**
   * How many refused votes of this reviewer on this action are on record, counted up to the bound;
   * `this_one` when this very vote is (a retry of a vote that was recorded).
   */
  private async standing(actionId: string, reviewer: string, eventId: string): Promise<number | 'this_one'> {
    let onRecord = 0;
    for await (const row of this.audit.rows({ actionId, actor: reviewer }, COUNT_PAGE_SIZE)) {
      if (row.eventId === eventId) return 'this_one';
      if (row.kind === AuditEventKind.VoteRefused) onRecord += 1;
      if (onRecord >= this.onRecordPerReviewer) break;
    }
    return onRecord;
  }
}

/** The event's data: the vote and the refusal, with a long comment cut and fingerprinted. */
function refusedVoteData({ decision, refusal }: RefusedVote): JsonObject {
  return {
    verdict: decision.verdict,
    channel: decision.channel,
    ...(decision.comment !== undefined ? commentFields(decision.comment) : {}),
    code: refusal.code,
    message: refusal.message,
  };
}

function commentFields(comment: string): JsonObject {
  // Code points, so a cut never splits a character in two.
  const chars = Array.from(comment);
  if (chars.length <= REFUSED_VOTE_COMMENT_CHARS) return { comment };
  return {
    comment: chars.slice(0, REFUSED_VOTE_COMMENT_CHARS).join(''),
    commentChars: chars.length,
    commentSha256: createHash('sha256').update(comment, 'utf8').digest('hex'),
  };
}
