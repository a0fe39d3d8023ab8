import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link McpGatewayError}: why the gateway refused a call before any payment. */
export type McpGatewayErrorCode =
  | 'CONFIRMATION_DECLINED'
  | 'CONFIRMATION_UNAVAILABLE'
  | 'PAYEE_NOT_ALLOWED'
  | 'PRICE_TOO_HIGH'
  | 'TOOL_NOT_FOUND'
  | 'TOOL_WITHDRAWN'
  | 'GATEWAY_CONFIG_INVALID'

/**
 * A refusal by the MCP gateway itself, decided outside the model: a payment the user did not
 * confirm, a payee not on the allowlist, a tool withdrawn because it changed on chain. It
 * reaches the MCP client as a tool error carrying `code`.
 *
 * @example
 * throw new McpGatewayError('CONFIRMATION_DECLINED', 'The user declined to pay 0.5 gUSD.')
 */
export class McpGatewayError extends BaseError {
  override name = 'McpGatewayError'
  declare readonly code: McpGatewayErrorCode
  constructor(
    code: McpGatewayErrorCode,
    shortMessage: string,
    parameters: BaseErrorParameters = {},
  ) {
    super(code, shortMessage, parameters)
  }
}
