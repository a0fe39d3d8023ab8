import { ToolInputError } from '@gotong/tool'
import { type Client, ProtocolError } from '@modelcontextprotocol/client'
import { McpWrapperError } from './errors.js'
import { McpCallResult } from './schemas.js'
import type { McpToolOutput } from './toGotongTool.js'

/** JSON-RPC "invalid params": what a server answers arguments its schema refuses with. */
const invalidParams = -32602

/**
 * Forwards one call to the MCP server and returns its result without `isError`. A tool error
 * is thrown, so the caller is not charged: arguments the server's validation refused as a
 * `ToolInputError` (the caller sees `INPUT_INVALID` and the server's words), anything else as
 * `MCP_TOOL_ERROR`; a connection lost on the way as `MCP_SERVER_UNAVAILABLE`.
 *
 * @example const output = await callMcpTool(client, 'get-sum', { a: 1, b: 2 }, signal)
 */
export async function callMcpTool(
  client: Client,
  name: string,
  /** The arguments, as the tool's input schema parsed them: an object. */
  input: unknown,
  signal: AbortSignal,
): Promise<McpToolOutput> {
  let raw: unknown
  try {
    raw = await client.callTool({ name, arguments: input as Record<string, unknown> }, { signal })
  } catch (error) {
    if (error instanceof ProtocolError) {
      if (error.code === invalidParams)
        throw new ToolInputError(error.message, { reason: 'MCP_INPUT_INVALID', cause: error })
      throw new McpWrapperError('MCP_TOOL_ERROR', `The MCP tool "${name}" failed.`, {
        cause: error,
      })
    }
    throw new McpWrapperError(
      'MCP_SERVER_UNAVAILABLE',
      `The MCP server did not answer the call of "${name}".`,
      { cause: error },
    )
  }
  const parsed = McpCallResult.safeParse(raw)
  if (!parsed.success)
    throw new McpWrapperError(
      'MCP_RESULT_INVALID',
      `The MCP tool "${name}" returned no valid result.`,
      {
        details: parsed.error.message,
      },
    )
  const { content, structuredContent, isError } = parsed.data
  if (isError) {
    const text = content.flatMap((block) => (typeof block.text === 'string' ? [block.text] : []))
    const message = text.join('\n') || `The MCP tool "${name}" reported an error.`
    // The SDKs answer arguments their schema refuses with a tool error saying so, not a
    // JSON-RPC error: the caller's to fix, as INPUT_INVALID.
    if (/Input validation error|MCP error -32602/i.test(message))
      throw new ToolInputError(message, { reason: 'MCP_INPUT_INVALID' })
    throw new McpWrapperError('MCP_TOOL_ERROR', `The MCP tool "${name}" reported an error.`, {
      details: message,
    })
  }
  return { content, ...(structuredContent ? { structuredContent } : {}) }
}
