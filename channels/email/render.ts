import type { ReviewNotice } from '../../domain/types';
import type { ReviewMessage } from '../review-message';
import { html, type Html } from './html';
import { bodyText, headerText, indented, utcTime } from './text';

/**
 * The emails of a review, from the channel-neutral ReviewMessage that every channel renders: the
 * review request, reminders and escalations, and the outcome. Each is a text part and an HTML part
 * saying the same. Every value the agent chose (action, params, justification; what the preview
 * read from them) is text in both: control characters removed, HTML-escaped in the HTML part. The
 * one link is the console's page of the action, where the reviewer signs in and decides: an email
 * never approves or rejects anything, and holds no link that does.
 */
export interface RenderedEmail {
  /** One line: no CR, LF or other control character, whatever the action and requester hold. */
  subject: string;
  text: string;
  html: string;
}

/** Long enough for an action id (up to 225 characters) after the action and requester, short enough for any mail client. */
const MAX_SUBJECT = 300;
const MAX_NAME = 80;

/** `Review requested: <action> by <requester> (<action id>)`, on one line. */
export function reviewSubject(message: ReviewMessage): string {
  const action = headerText(message.action, MAX_NAME);
  const requester = headerText(message.requester.id, MAX_NAME);
  return headerText(`Review requested: ${action} by ${requester} (${message.actionId})`, MAX_SUBJECT);
}

/** The review request: who asks, what exactly, why, policy, approvals, deadline, preview, and where to decide. */
export function reviewEmail(message: ReviewMessage): RenderedEmail {
  return {
    subject: reviewSubject(message),
    text: [`${intro(message)}:`, `  ${indented(bodyText(message.summary), '  ')}`, '', ...detailLines(message), ...whereToDecideLines(message)].join('\n'),
    html: page(
      'Review requested',
      html`<p>${introHtml(message)}:</p>
        <p style="margin-left:1em">${multiline(message.summary)}</p>
        ${detailHtml(message)} ${whereToDecideHtml(message)}`,
    ),
  };
}

/** A reminder or an escalation, in reply to the review request (the caller threads it). */
export function noticeEmail(message: ReviewMessage, notice: ReviewNotice): RenderedEmail {
  const line = noticeLine(notice);
  const title = notice.kind === 'reminder' ? 'Reminder' : 'Escalated';
  return {
    subject: replySubject(message),
    text: [`${title}: ${line}`, '', `${intro(message)}:`, `  ${indented(bodyText(message.summary), '  ')}`, '', ...whereToDecideLines(message)].join('\n'),
    html: page(
      title,
      html`<p>${line}</p>
        <p>${introHtml(message)}:</p>
        <p style="margin-left:1em">${multiline(message.summary)}</p>
        ${whereToDecideHtml(message)}`,
    ),
  };
}

/** The end of the review (decided, expired, cancelled, executed or failed), in reply to the review request. */
export function outcomeEmail(message: ReviewMessage): RenderedEmail {
  const title = message.outcome?.title ?? `Status: ${message.status}`;
  const detail = message.outcome?.detail;
  return {
    subject: replySubject(message),
    text: [
      headerText(title, 500),
      ...(detail ? [`  ${indented(bodyText(detail), '  ')}`] : []),
      '',
      `${intro(message)}:`,
      `  ${indented(bodyText(message.summary), '  ')}`,
      '',
      ...seeItLines(message),
    ].join('\n'),
    html: page(
      headerText(title, 500),
      html`${detail ? html`<p style="white-space:pre-wrap">${bodyText(detail)}</p>` : html``}
        <p>${introHtml(message)}:</p>
        <p style="margin-left:1em">${multiline(message.summary)}</p>
        ${seeItHtml(message)}`,
    ),
  };
}

function replySubject(message: ReviewMessage): string {
  return headerText(`Re: ${reviewSubject(message)}`, MAX_SUBJECT + 4);
}

function intro(message: ReviewMessage): string {
  return `${headerText(message.requester.id, MAX_NAME)} (via ${headerText(message.requester.source, MAX_NAME)}) asks to run ${headerText(message.action, 200)}`;
}

function introHtml(message: ReviewMessage): Html {
  return html`<b>${headerText(message.requester.id, MAX_NAME)}</b> (via ${headerText(message.requester.source, MAX_NAME)}) asks to run
    <code>${headerText(message.action, 200)}</code>`;
}

function noticeLine(notice: ReviewNotice): string {
  const missing = Math.max(notice.quorum - notice.approvals, 1);
  const needs = `${missing} more approval${missing === 1 ? '' : 's'} (${notice.approvals} of ${notice.quorum})`;
  const deadline = notice.deadline ? ` before ${utcTime(notice.deadline)}` : '';
  const people = notice.mention.map((id) => headerText(id, MAX_NAME)).join(', ');
  if (notice.kind === 'reminder') return `this request still needs ${needs}${deadline}.${people ? ` Waiting on ${people}.` : ''}`;
  const groups = (notice.approverGroups ?? []).map((group) => headerText(group, MAX_NAME)).join(', ');
  return `no decision yet, so the review now also goes to ${groups || 'more approvers'}: ${needs} needed${deadline}.${people ? ` ${people}: you may now approve or reject it.` : ''}`;
}

function approvalsLine(message: ReviewMessage): string {
  const approvedBy = message.approvals.length ? `: ${message.approvals.map((id) => headerText(id, MAX_NAME)).join(', ')}` : '';
  return `${message.approvals.length} of ${message.quorum}${approvedBy}`;
}

function whoMayDecide(message: ReviewMessage): string {
  return message.eligibleApprovers.map((id) => headerText(id, MAX_NAME)).join(', ') || '(nobody)';
}

function detailLines(message: ReviewMessage): string[] {
  const lines = [
    'Parameters:',
    ...(message.params.length ? message.params.map(({ name, value }) => `  ${headerText(name, 200)}: ${indented(bodyText(value), '    ')}`) : ['  (none)']),
    '',
    'Justification (written by the requester):',
    `  ${indented(bodyText(message.justification), '  ')}`,
    '',
    `Policy: rule ${headerText(message.ruleId, 200)}, risk ${message.risk}${message.policyReason ? `: ${bodyText(message.policyReason, 500)}` : ''}`,
    `Approvals: ${approvalsLine(message)}`,
    `Who may decide: ${whoMayDecide(message)}`,
  ];
  if (message.escalation) lines.push(`Escalated to: ${message.escalation.approverGroups.map((group) => headerText(group, MAX_NAME)).join(', ')}`);
  if (message.deadline) lines.push(`Deadline: ${utcTime(message.deadline)}`);
  lines.push('', ...impactLines(message), '');
  return lines;
}

function impactLines(message: ReviewMessage): string[] {
  const impact = message.impact;
  if (!impact) return ['Impact preview: none'];
  if (impact.error) return ['Impact preview: could not be read', `  ${indented(bodyText(impact.error), '  ')}`];
  return [
    'Impact preview:',
    ...impact.notes.map((note) => `  - ${indented(bodyText(note), '    ')}`),
    ...impact.warnings.map((warning) => `  Warning: ${indented(bodyText(warning), '    ')}`),
    ...(impact.detail ? [`  ${indented(bodyText(impact.detail), '  ')}`] : []),
    ...(impact.notes.length + impact.warnings.length === 0 && !impact.detail ? ['  (nothing to note)'] : []),
  ];
}

function detailHtml(message: ReviewMessage): Html {
  const params = message.params.length
    ? html`<table cellpadding="4" style="border-collapse:collapse">
        ${message.params.map(
          ({ name, value }) =>
            html`<tr>
              <td style="vertical-align:top"><code>${headerText(name, 200)}</code></td>
              <td><pre style="margin:0;white-space:pre-wrap">${bodyText(value)}</pre></td>
            </tr>`,
        )}
      </table>`
    : html`<p>(none)</p>`;
  const escalation = message.escalation
    ? html`<li>Escalated to: ${message.escalation.approverGroups.map((group) => headerText(group, MAX_NAME)).join(', ')}</li>`
    : html``;
  const deadline = message.deadline ? html`<li>Deadline: <b>${utcTime(message.deadline)}</b></li>` : html``;
  return html`<h3>Parameters</h3>
    ${params}
    <h3>Justification <small>(written by the requester)</small></h3>
    <p style="white-space:pre-wrap">${bodyText(message.justification)}</p>
    <h3>Policy</h3>
    <ul>
      <li>
        Rule <code>${headerText(message.ruleId, 200)}</code>, risk
        <b>${message.risk}</b>${message.policyReason ? html`: ${bodyText(message.policyReason, 500)}` : html``}
      </li>
      <li>Approvals: ${approvalsLine(message)}</li>
      <li>Who may decide: ${whoMayDecide(message)}</li>
      ${escalation}${deadline}
    </ul>
    <h3>Impact preview</h3>
    ${impactHtml(message)}`;
}

function impactHtml(message: ReviewMessage): Html {
  const impact = message.impact;
  if (!impact) return html`<p>None.</p>`;
  if (impact.error) return html`<p>Could not be read: <span style="white-space:pre-wrap">${bodyText(impact.error)}</span></p>`;
  const items = [
    ...impact.notes.map((note) => html`<li style="white-space:pre-wrap">${bodyText(note)}</li>`),
    ...impact.warnings.map((warning) => html`<li style="white-space:pre-wrap"><b>Warning:</b> ${bodyText(warning)}</li>`),
  ];
  return html`${
    items.length
      ? html`<ul>
          ${items}
        </ul>`
      : html``
  }${impact.detail ? html`<pre style="white-space:pre-wrap">${bodyText(impact.detail)}</pre>` : html``}${
    items.length === 0 && !impact.detail ? html`<p>Nothing to note.</p>` : html``
  }`;
}

/** Where the reviewer decides (the console, signed in; else the API), and that this email decides nothing. */
function whereToDecideLines(message: ReviewMessage): string[] {
  const link = message.links.console;
  return [
    ...(link
      ? ['Review and decide in the Airlock console (you sign in there first):', `  ${link}`]
      : [`Review it with the Airlock API, signed in with your key or token: GET ${apiRoute(message)}`, `and decide with POST ${apiRoute(message)}/decisions.`]),
    '',
    'Replying to this email does nothing, and no link in it approves or rejects: decisions are made signed in.',
    `Action id: ${message.actionId}`,
  ];
}

function whereToDecideHtml(message: ReviewMessage): Html {
  const link = message.links.console;
  const where = link
    ? html`<p>Review and decide in the Airlock console (you sign in there first):<br /><a href="${link}">${link}</a></p>`
    : html`<p>
        Review it with the Airlock API, signed in with your key or token: <code>GET ${apiRoute(message)}</code>, and decide with
        <code>POST ${apiRoute(message)}/decisions</code>.
      </p>`;
  return html`${where}
    <p style="color:#555">
      Replying to this email does nothing, and no link in it approves or rejects: decisions are made signed in.<br />Action id: <code>${message.actionId}</code>
    </p>`;
}

/** Where the action can be seen after the fact: the console link, else the API route. */
function seeItLines(message: ReviewMessage): string[] {
  const link = message.links.console;
  return link ? ['See the action in the Airlock console:', `  ${link}`] : [`See the action with the Airlock API: GET ${apiRoute(message)}`];
}

function seeItHtml(message: ReviewMessage): Html {
  const link = message.links.console;
  return link
    ? html`<p>See the action in the Airlock console:<br /><a href="${link}">${link}</a></p>`
    : html`<p>See the action with the Airlock API: <code>GET ${apiRoute(message)}</code></p>`;
}

function apiRoute(message: ReviewMessage): string {
  return `/v1/actions/${encodeURIComponent(message.actionId)}`;
}

function multiline(text: string): Html {
  return html`<span style="white-space:pre-wrap">${bodyText(text)}</span>`;
}

function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html>
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
      </head>
      <body style="font-family:system-ui,sans-serif;font-size:14px;line-height:1.4">
        <h2>${title}</h2>
        ${body}
      </body>
    </html> `.markup;
}
