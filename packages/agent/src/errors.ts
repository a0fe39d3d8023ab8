import { BaseError, type BaseErrorParameters, type WireError } from '@gotong/core'

/** Codes of {@link AgentError}: what went wrong serving or calling a tool. */
export type AgentErrorCode =
  | 'GATE_DENIED'
  | 'GATE_BROKEN'
  | 'TOOL_NOT_FOUND'
  /** The agent requires an attestation (`requireAttestation`) the tool's listing does not pass. */
  | 'TOOL_NOT_ATTESTED'
  | 'TOOL_CHANGED'
  | 'TOOL_UNAVAILABLE'
  | 'PRICE_TOO_HIGH'
  | 'NEGOTIATION_FAILED'
  | 'AGREEMENT_UNKNOWN'
  | 'INPUT_INVALID'
  | 'OUTPUT_INVALID'
  | 'HANDLER_FAILED'
  | 'HANDLER_TIMEOUT'
  | 'PAYMENT_REFUSED'
  | 'LLM_NOT_CONFIGURED'
  | 'AGENT_STOPPED'
  | 'STAKE_TOO_LOW'
  | 'STAKE_UNAVAILABLE'
  | 'STAKE_REFUSED'
  | 'EQUIVOCATION_REFUSED'
  /** The ValidationRegistry refused a spot check's validation request or response. */
  | 'VALIDATION_REFUSED'
  /** A spot-check option is out of range (`rate` outside 0 to 1). */
  | 'SPOT_CHECK_INVALID'

/**
 * A failure of the agent runtime. On the consumer side, a provider's refusal arrives as an
 * `AgentError` whose `code` is the provider's (`GATE_DENIED`, `HANDLER_FAILED`, ...) and whose
 * `cause` is the `WireError` that carried it.
 *
 * @example
 * try { await agent.call(toolId, input) } catch (e) {
 *   if (e instanceof AgentError && e.code === 'GATE_DENIED') console.log('buy a pass first')
 * }
 */
export class AgentError extends BaseError {
  override name = 'AgentError'
  readonly data: Record<string, unknown> | undefined
  constructor(
    code: AgentErrorCode,
    shortMessage: string,
    parameters: BaseErrorParameters & { data?: Record<string, unknown> } = {},
  ) {
    super(code, shortMessage, parameters)
    this.data = parameters.data
  }
  declare readonly code: AgentErrorCode
}

/** The agent error code a provider put in a wire error's data, if any. */
export function agentCodeOf(error: WireError): AgentErrorCode | undefined {
  const code = error.data?.code
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? (code as AgentErrorCode) : undefined
}
