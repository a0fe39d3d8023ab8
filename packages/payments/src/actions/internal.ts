import { paymentChannelsAbi } from '@gotong/contracts'
import {
  type Account,
  type Chain,
  ContractFunctionRevertedError,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  BaseError as ViemError,
  type WalletClient,
} from 'viem'
import type { ChannelKey } from '../channel/channelKey.js'
import { ChannelError } from '../errors.js'

/** A wallet client with an account: what sends channel transactions. */
export type ChannelWallet = WalletClient<Transport, Chain | undefined, Account>

/** The key as the contract's `ChannelKey` tuple. */
export function keyArg(key: ChannelKey) {
  return {
    payer: key.payer,
    payee: key.payee,
    token: key.token,
    challengePeriod: BigInt(key.challengePeriod),
    salt: key.salt,
  }
}

/** The revert's custom error name, if the chain said why. */
export function revertName(error: unknown): string | undefined {
  if (!(error instanceof ViemError)) return undefined
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined
}

/**
 * Simulates, sends and waits for one PaymentChannels call, turning reverts into a
 * `CHANNEL_TX_FAILED` error that names the contract's reason.
 */
export async function sendChannelTx(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  parameters: {
    channels: `0x${string}`
    functionName: string
    args: readonly unknown[]
    what: string
  },
): Promise<{ hash: Hash; receipt: TransactionReceipt; result: unknown }> {
  let hash: Hash
  let result: unknown
  try {
    const simulated = await publicClient.simulateContract({
      address: parameters.channels,
      abi: paymentChannelsAbi,
      // biome-ignore lint/suspicious/noExplicitAny: one helper for every channel function
      functionName: parameters.functionName as any,
      // biome-ignore lint/suspicious/noExplicitAny: checked by the typed callers
      args: parameters.args as any,
      account: wallet.account,
    })
    result = simulated.result
    // biome-ignore lint/suspicious/noExplicitAny: the simulated request is typed for this ABI
    hash = await wallet.writeContract(simulated.request as any)
  } catch (error) {
    const reason = revertName(error)
    throw new ChannelError(
      'CHANNEL_TX_FAILED',
      `${parameters.what} failed${reason ? `: ${reason}` : ''}.`,
      { cause: error, ...(reason ? { details: reason } : {}) },
    )
  }
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success')
    throw new ChannelError('CHANNEL_TX_FAILED', `${parameters.what} reverted in ${hash}.`)
  return { hash, receipt, result }
}
