import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The text blocks of a tool result, joined by lines (other blocks count as empty). */
export function toolText(result: Pick<CallToolResult, 'content'>): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}
