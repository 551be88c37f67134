/**
 * What an action id looks like: `action-<catalogue name>-<16 chars>`, the workflow id too.
 * api/action-id.ts mints them; the API's routes and every channel's inbound parsing check the
 * shape here before an id goes anywhere near Temporal.
 */
export const ACTION_ID_PATTERN = /^action-[A-Za-z0-9._-]{1,200}-[a-z2-9]{16}$/;

/** Action names the MCP gateway gives its downstream tools (`mcp.<server>.<tool>`); no other operation may take one. */
export const GATEWAY_ACTION_PREFIX = 'mcp.';

/**
 * What an action name may look like: a catalogue name (`s3.copyObject`) or a gateway tool's
 * (`mcp.fs.write_file`: MCP tool names also use `_` and `-`). At most 200 characters (32 for the
 * server, 128 for the tool, and the dots and prefix).
 */
export const ACTION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
