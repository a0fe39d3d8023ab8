import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link McpWrapperError}: what went wrong wrapping or calling an MCP server. */
export type McpWrapperErrorCode =
  /** The server could not be started or reached, or the MCP handshake failed. */
  | 'MCP_CONNECT_FAILED'
  /** What the server listed (a `tools/list` page, one tool) is not a valid MCP shape. */
  | 'MCP_LIST_INVALID'
  /** A tool's name is one an ERC-8257 manifest or a gotong route cannot take. */
  | 'MCP_TOOL_NAME_INVALID'
  /** A price in `options.prices` is not an amount. */
  | 'MCP_PRICE_INVALID'
  /** The tool's definition changed (or it was removed) since it was published: calls are refused. */
  | 'MCP_TOOL_CHANGED'
  /** The server is down (crashed, restarting) or the wrapper was closed. */
  | 'MCP_SERVER_UNAVAILABLE'
  /** The tool answered with an error (`isError`, or a JSON-RPC error). */
  | 'MCP_TOOL_ERROR'
  /** The server's `tools/call` result is not a valid MCP result. */
  | 'MCP_RESULT_INVALID'

/**
 * A failure of the MCP wrapper. Thrown from a wrapped tool's handler it is a refusal that
 * charges nothing: the agent rolls the caller's voucher back.
 *
 * @example
 * try { await wrapMcpServer({ command: 'my-mcp-server' }, { prices: { default: '0.001' } }) }
 * catch (e) { if (e instanceof McpWrapperError && e.code === 'MCP_CONNECT_FAILED') console.error(e.shortMessage) }
 */
export class McpWrapperError extends BaseError {
  override name = 'McpWrapperError'
  declare readonly code: McpWrapperErrorCode
  constructor(code: McpWrapperErrorCode, shortMessage: string, parameters?: BaseErrorParameters) {
    super(code, shortMessage, parameters)
  }
}
