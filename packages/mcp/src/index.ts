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
