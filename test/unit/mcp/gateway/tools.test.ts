import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { gatewayToolName, splitGatewayToolName, toDownstreamTools } from '../../../../mcp/gateway/tools';

describe('gateway tool names', () => {
  test('mcp.<server>.<tool>, and back; a tool name may contain dots', () => {
    expect(gatewayToolName('files', 'read_file')).toBe('mcp.files.read_file');
    expect(splitGatewayToolName('mcp.files.read_file')).toEqual({ server: 'files', tool: 'read_file' });
    expect(splitGatewayToolName('mcp.everything.get-env')).toEqual({ server: 'everything', tool: 'get-env' });
    expect(splitGatewayToolName('mcp.github.repos.list')).toEqual({ server: 'github', tool: 'repos.list' });
  });

  test('anything else is not a gateway tool name', () => {
    for (const name of ['s3.copyObject', 'mcp.files', 'mcp.files.', 'mcp..read_file', 'mcp.Files.read_file', 'files.read_file']) {
      expect(splitGatewayToolName(name)).toBeUndefined();
    }
  });
});

describe('toDownstreamTools', () => {
  const schema = { type: 'object' as const };

  test('keeps what the server said of each tool, under its gateway name', () => {
    const listed: Tool[] = [
      {
        name: 'write_file',
        title: 'Write',
        description: 'Write a file',
        inputSchema: { ...schema, properties: { path: { type: 'string' } } },
        outputSchema: { type: 'object', properties: { content: { type: 'string' } } },
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
        execution: { taskSupport: 'forbidden' },
      },
      { name: 'plain', inputSchema: schema },
    ];
    const { tools, skipped } = toDownstreamTools('files', listed);
    expect(skipped).toEqual([]);
    expect(tools).toEqual([
      {
        name: 'mcp.files.write_file',
        server: 'files',
        tool: 'write_file',
        title: 'Write',
        description: 'Write a file',
        inputSchema: listed[0]?.inputSchema,
        outputSchema: listed[0]?.outputSchema,
        annotations: listed[0]?.annotations,
        execution: { taskSupport: 'forbidden' },
      },
      { name: 'mcp.files.plain', server: 'files', tool: 'plain', inputSchema: schema },
    ]);
  });

  test('skips names outside the MCP charset and second tools of one name, saying why', () => {
    const { tools, skipped } = toDownstreamTools('x', [
      { name: 'ok', inputSchema: schema },
      { name: 'has space', inputSchema: schema },
      { name: 'glob*', inputSchema: schema },
      { name: 'ok', description: 'again', inputSchema: schema },
    ]);
    expect(tools.map((tool) => tool.name)).toEqual(['mcp.x.ok']);
    expect(tools[0]?.description).toBeUndefined();
    expect(skipped.map((entry) => entry.tool)).toEqual(['has space', 'glob*', 'ok']);
    expect(skipped[2]?.reason).toBe('listed twice; the first is offered');
  });
});
