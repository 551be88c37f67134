/**
 * Every patch id the workflow code has used, with the release that introduced it and the releases
 * that deprecated and removed it. The schedule (docs/architecture.md#versioning): a patch
 * introduced in release R is `patched()` in R, `deprecatePatch()` in R+1 and gone in R+2, and
 * release N may be deployed only once no workflow started by a release before N-1 is open.
 * test/unit/workflows/patches.test.ts holds the workflow code, the replay sets and package.json's
 * version to this list. Removed patches stay listed: an id is never reused.
 */
export interface PatchRecord {
  /** The release whose code first called `patched()` with this id. */
  introduced: string;
  /** The next release: `deprecatePatch()` from then on. */
  deprecated?: string;
  /** The release after that: no call at all. */
  removed?: string;
  /** What the patch guards, for whoever retires it. */
  what: string;
}

/*
 * 0.1.0 is the first release (CHANGELOG.md). Its patches guard workflows started by the development
 * builds before it, which no release carried: 0.2.0 deprecates them all.
 */
export const PATCHES = {
  'impact-preview': {
    introduced: '0.1.0',
    deprecated: '0.2.0',
    what: 'policy on params, the impact preview, then policy on the preview; before it, one policy evaluation',
  },
  'audit-trail': { introduced: '0.1.0', deprecated: '0.2.0', what: 'the recordAuditEvents activity; before it, no audit events' },
  'review-timers': { introduced: '0.1.0', deprecated: '0.2.0', what: 'reminder and escalation timers; before it, the deadline alone' },
  'signed-identities': {
    introduced: '0.1.0',
    deprecated: '0.2.0',
    what: 'the verifyActionRequest local activity first, the request recorded after it; before it, no verification',
  },
  'teams-channel': { introduced: '0.1.0', deprecated: '0.2.0', what: 'teams: channels posted to; before it, ignored' },
  'unregistered-channel': {
    introduced: '0.1.0',
    deprecated: '0.2.0',
    what: 'a channel of a kind without an integration recorded as a failed delivery; before it, skipped',
  },
  'local-steps': {
    introduced: '0.2.0',
    what: 'admission, the preview and audit writes as local activities, one workflow task per transition; before it, activity tasks (workflows/legacy/)',
  },
  'one-step-admission': {
    introduced: '0.2.0',
    what: 'admission, the preview and policy on its facts in one local activity (admitAction), checked before local-steps so a new run records one patch; before it, admitRequest, previewOperation and evaluatePolicy (local-steps)',
  },
  'admission-records-outcome': {
    introduced: '0.2.0',
    what: "admitAction stores admission's outcome (preview, decision, denial or approval and execution start) under ids the workflow reserved, and a cancel during admission waits for it; checked before one-step-admission; before it, the workflow wrote those events in a local activity of its own",
  },
} as const satisfies Record<string, PatchRecord>;

/** A patch id the registry knows: workflow code names its patches with this type, so an unlisted id does not compile. */
export type PatchId = keyof typeof PATCHES;
