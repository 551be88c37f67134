/**
 * What an action id looks like: `action-<catalogue name>-<16 chars>`, the workflow id too.
 * api/action-id.ts mints them; the API's routes and every channel's inbound parsing check the
 * shape here before an id goes anywhere near Temporal.
 */
export const ACTION_ID_PATTERN = /^action-[A-Za-z0-9.]{1,64}-[a-z2-9]{16}$/;
