import { ConfigError } from '../../../config/load';
import { httpConfigSchema, parseMcpConfig, stdioConfigSchema } from '../../../mcp/config';

const STDIO = { AIRLOCK_URL: 'http://127.0.0.1:8080', AIRLOCK_API_KEY: 'alk_test' };

describe('AIRLOCK_MCP_CALL_WAIT_SECONDS', () => {
  it('defaults to 50 s, under the 60 s many MCP clients give a tool call', () => {
    expect(parseMcpConfig(stdioConfigSchema, STDIO).AIRLOCK_MCP_CALL_WAIT_SECONDS).toBe(50);
    expect(parseMcpConfig(httpConfigSchema, { AIRLOCK_URL: STDIO.AIRLOCK_URL }).AIRLOCK_MCP_CALL_WAIT_SECONDS).toBe(50);
  });

  it.each(['0', '300'])('takes %s', (value) => {
    expect(parseMcpConfig(stdioConfigSchema, { ...STDIO, AIRLOCK_MCP_CALL_WAIT_SECONDS: value }).AIRLOCK_MCP_CALL_WAIT_SECONDS).toBe(Number(value));
  });

  it.each(['301', '-1', '1.5', 'soon'])('refuses %s, naming the variable', (value) => {
    expect(() => parseMcpConfig(httpConfigSchema, { AIRLOCK_URL: STDIO.AIRLOCK_URL, AIRLOCK_MCP_CALL_WAIT_SECONDS: value })).toThrow(ConfigError);
    expect(() => parseMcpConfig(httpConfigSchema, { AIRLOCK_URL: STDIO.AIRLOCK_URL, AIRLOCK_MCP_CALL_WAIT_SECONDS: value })).toThrow(
      /AIRLOCK_MCP_CALL_WAIT_SECONDS/,
    );
  });
});
