import { validationRegistryAbi } from '@gotong/contracts'
import { canonicalJson, contentHash } from '@gotong/core'
import type { ChannelWallet } from '@gotong/payments/payer'
import type { Address, Hex, PublicClient } from 'viem'
import { AgentError } from '../errors.js'
import { toJson } from '../provider/hostTool.js'
import { revertReasonOf, sendContractTransaction } from './sendContractTransaction.js'

/** The tag spot checks' validations carry, so `getSummary` can be asked for them alone. */
export const spotCheckTag = 'gotong.spot-check'

export type RecordValidationParameters = {
  /** The deployment's ValidationRegistry. */
  validationRegistry: Address
  /** The ERC-8004 agent whose work was checked. */
  agentId: bigint
  /** 0: its answer was wrong; 100: it was right. */
  response: 0 | 100
  /** What the check rests on (the signed receipts compared): kept in a data: URI and hashed. */
  evidence: unknown
  /** Runs the two transactions after the wallet's others (one nonce sequence). */
  queue?: (<T>(transaction: () => Promise<T>) => Promise<T>) | undefined
}

export type RecordValidationReturnType = {
  /** The validation's request hash: the keccak of the request document. */
  requestHash: Hex
  /** The keccak of the evidence document, the response's `responseHash`. */
  evidenceHash: Hex
  response: 0 | 100
  transactionHashes: [request: Hex, response: Hex]
}

/**
 * Records a check of an agent's paid answer in the ERC-8004 validation registry, the checking
 * wallet as validator: it opens the request naming itself, then answers 0 or 100 under the
 * `gotong.spot-check` tag. The request document names the agent and the evidence (so one piece
 * of evidence makes one request per agent); the response URI is the evidence as a data: URI.
 * A refusal is `VALIDATION_REFUSED` with the contract's error name in `data.reason`.
 *
 * @example
 * await recordValidation({ walletClient, publicClient }, { validationRegistry, agentId, response: 0, evidence })
 */
export async function recordValidation(
  clients: { walletClient: ChannelWallet; publicClient: PublicClient },
  parameters: RecordValidationParameters,
): Promise<RecordValidationReturnType> {
  const { validationRegistry, agentId, response } = parameters
  // Receipts carry bigints: the document holds them as decimal strings, as on the wire.
  const evidence = toJson(parameters.evidence)
  const evidenceHash = contentHash(evidence)
  const request = { type: spotCheckTag, agentId: agentId.toString(), evidenceHash }
  const requestHash = contentHash(request)
  const send = (
    functionName: 'validationRequest' | 'validationResponse',
    args: readonly unknown[],
  ): Promise<Hex> =>
    sendContractTransaction(
      clients,
      { address: validationRegistry, abi: validationRegistryAbi, functionName, args },
      {
        refused: (error) => {
          const reason = revertReasonOf(error)
          return new AgentError(
            'VALIDATION_REFUSED',
            `ValidationRegistry refused ${functionName} for agent ${agentId}${reason ? `: ${reason}` : ''}.`,
            { cause: error as Error, data: { ...(reason ? { reason } : {}) } },
          )
        },
        reverted: () =>
          new AgentError('VALIDATION_REFUSED', `ValidationRegistry.${functionName} reverted.`),
      },
    )
  const run = async () => {
    const validator = clients.walletClient.account.address
    const asked = await send('validationRequest', [
      validator,
      agentId,
      dataUri(request),
      requestHash,
    ])
    const answered = await send('validationResponse', [
      requestHash,
      response,
      dataUri(evidence),
      evidenceHash,
      spotCheckTag,
    ])
    return [asked, answered] as [Hex, Hex]
  }
  const transactionHashes = await (parameters.queue ? parameters.queue(run) : run())
  return { requestHash, evidenceHash, response, transactionHashes }
}

/** A JSON document as a base64 data: URI (RFC 2397), readable without any other service. */
function dataUri(document: unknown): string {
  const bytes = new TextEncoder().encode(canonicalJson(document))
  return `data:application/json;base64,${Buffer.from(bytes).toString('base64')}`
}
