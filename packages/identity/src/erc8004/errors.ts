import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link Erc8004Error}. */
export type Erc8004ErrorCode =
  /** The deployment names no identity registry, reputation registry or receipt gateway. */
  | 'ERC8004_NOT_DEPLOYED'
  /** No agent has this id in the identity registry (`ERC721NonexistentToken`). */
  | 'AGENT_NOT_FOUND'
  /** The agent URI's scheme cannot be resolved here (`ipfs:` without a gateway, …). */
  | 'AGENT_URI_UNSUPPORTED'
  /** The agent URI could not be fetched or decoded. */
  | 'AGENT_URI_UNREACHABLE'
  /** The registration file is not an ERC-8004 registration-v1 file. */
  | 'REGISTRATION_INVALID'
  /** The receipt gateway refused the feedback; `reason` is its error (`ReceiptAlreadyCounted`, …). */
  | 'FEEDBACK_REFUSED'
  /** No paid call with a receipt the gateway would still count: nothing to give feedback for. */
  | 'FEEDBACK_NO_RECEIPT'
  /** An identity or reputation transaction reverted; `reason` names the contract's error. */
  | 'ERC8004_REVERTED'

/**
 * A failure of an ERC-8004 action: registering, resolving a registration file, giving or
 * reading feedback. `reason` is the contract's custom error name when a registry or the
 * gateway refused (`ReceiptAlreadyCounted`, `InvalidReceiptSignature`, `SelfFeedback`, …).
 *
 * @example
 * try { await giveReceiptFeedback(wallet, parameters) } catch (e) {
 *   if (e instanceof Erc8004Error && e.reason === 'ReceiptAlreadyCounted') console.log('already rated')
 * }
 */
export class Erc8004Error extends BaseError {
  override name = 'Erc8004Error'
  declare readonly code: Erc8004ErrorCode
  /** The contract's custom error name, when one refused. */
  readonly reason: string | undefined
  constructor(
    code: Erc8004ErrorCode,
    shortMessage: string,
    parameters: BaseErrorParameters & { reason?: string | undefined } = {},
  ) {
    super(code, shortMessage, parameters)
    this.reason = parameters.reason
  }
}
