export { McpGatewayError, type McpGatewayErrorCode } from './errors.js'
export { cleanText } from './gateway/cleanText.js'
export {
  type CreateMcpGatewayOptions,
  createMcpGateway,
  type McpGateway,
} from './gateway/createGateway.js'
export { GatewayConfig, type GatewayConfigInput } from './gateway/gatewayConfig.js'
export { type ListenHttpOptions, listenHttp } from './gateway/listenHttp.js'
export { receiptMetaKey } from './gateway/results.js'
export { type ServeMcpOptions, serveMcp } from './gateway/serveMcp.js'
export type { SpendingSummary } from './gateway/spending.js'
export type {
  ConnectMcpServerParameters,
  McpConnection,
  McpServerSource,
  McpTimers,
} from './wrapper/connectMcpServer.js'
export { McpWrapperError, type McpWrapperErrorCode } from './wrapper/errors.js'
export type { McpToolListing } from './wrapper/listMcpTools.js'
export { McpCallResult, McpServerInfo, McpToolDefinition } from './wrapper/schemas.js'
export {
  definitionHash,
  type McpGotongTool,
  type McpToolOutput,
  mcpExtensionKey,
} from './wrapper/toGotongTool.js'
export type {
  McpToolChange,
  McpToolState,
  WrappedMcpTool,
} from './wrapper/toolRegistry.js'
export {
  type McpPrices,
  type McpWrapperWarning,
  type WrapMcpServerOptions,
  type WrappedMcpServer,
  wrapMcpServer,
} from './wrapper/wrapMcpServer.js'
