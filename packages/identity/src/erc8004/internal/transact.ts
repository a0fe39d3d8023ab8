import {
  identityRegistryAbi,
  receiptFeedbackGatewayAbi,
  reputationRegistryAbi,
} from '@gotong/contracts'
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Client,
  ContractFunctionRevertedError,
  type TransactionReceipt,
  type Transport,
  BaseError as ViemError,
} from 'viem'
import { waitForTransactionReceipt, writeContract } from 'viem/actions'
import { Erc8004Error, type Erc8004ErrorCode } from '../errors.js'

/** A viem client that can sign: what every ERC-8004 write takes first. */
export type Erc8004WalletClient = Client<Transport, Chain | undefined, Account>

/**
 * Every custom error the three contracts can raise, so a revert inside a nested call (the
 * gateway calling the reputation registry, which asks the identity registry) decodes by name.
 */
export const erc8004Errors = [
  ...identityRegistryAbi,
  ...reputationRegistryAbi,
  ...receiptFeedbackGatewayAbi,
].filter((item) => item.type === 'error')

/**
 * Sends one transaction and waits for its receipt. A revert, at estimation or on chain, comes
 * back as an `Erc8004Error` whose `reason` is the contract's error name.
 */
export async function transact(
  client: Erc8004WalletClient,
  parameters: {
    address: Address
    abi: Abi
    functionName: string
    args: readonly unknown[]
    /** What the transaction does, for messages: "register the agent". */
    action: string
    /** The code a revert gets (default `ERC8004_REVERTED`). */
    code?: Erc8004ErrorCode
  },
): Promise<TransactionReceipt> {
  const code = parameters.code ?? 'ERC8004_REVERTED'
  try {
    const hash = await writeContract(client, {
      address: parameters.address,
      abi: [...parameters.abi, ...erc8004Errors],
      functionName: parameters.functionName,
      args: parameters.args,
      account: client.account,
      chain: client.chain ?? null,
    } as Parameters<typeof writeContract>[1])
    const receipt = await waitForTransactionReceipt(client, { hash })
    if (receipt.status !== 'success')
      throw new Erc8004Error(code, `Could not ${parameters.action}: the transaction reverted.`)
    return receipt
  } catch (error) {
    throw toErc8004Error(error, code, parameters.action)
  }
}

/** A contract's refusal as an `Erc8004Error` naming its custom error; anything else as is. */
export function toErc8004Error(error: unknown, code: Erc8004ErrorCode, action: string): unknown {
  if (error instanceof Erc8004Error || !(error instanceof ViemError)) return error
  const reverted = error.walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null
  if (!reverted) return error
  const reason = reverted.data?.errorName ?? reverted.reason ?? undefined
  const args = reverted.data?.args?.map((a) => (typeof a === 'bigint' ? a.toString() : a))
  if (reason === 'ERC721NonexistentToken')
    return new Erc8004Error('AGENT_NOT_FOUND', `Could not ${action}: no such agent.`, {
      cause: error,
      reason,
    })
  return new Erc8004Error(code, `Could not ${action}: ${reason ?? 'the contract refused'}.`, {
    cause: error,
    reason,
    ...(args?.length ? { details: `${reason}(${args.map(String).join(', ')})` } : {}),
  })
}
