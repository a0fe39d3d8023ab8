import type { ChannelWallet } from '@gotong/payments/payer'
import {
  type Abi,
  type Address,
  ContractFunctionRevertedError,
  type Hex,
  type PublicClient,
  BaseError as ViemBaseError,
} from 'viem'
import type { AgentError } from '../errors.js'

/**
 * Simulates one contract call, sends it from the wallet and waits for it to be mined. A call the
 * simulation refuses becomes `refused(error)`; one mined but reverted becomes `reverted(hash)`.
 */
export async function sendContractTransaction(
  clients: { walletClient: ChannelWallet; publicClient: PublicClient },
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
  errors: { refused: (error: unknown) => AgentError; reverted: (hash: Hex) => AgentError },
): Promise<Hex> {
  const { walletClient, publicClient } = clients
  let hash: Hex
  try {
    const { request } = await publicClient.simulateContract({
      ...call,
      account: walletClient.account,
    } as never)
    hash = await walletClient.writeContract({
      ...(request as object),
      chain: walletClient.chain,
    } as never)
  } catch (error) {
    throw errors.refused(error)
  }
  const mined = await publicClient.waitForTransactionReceipt({ hash })
  if (mined.status !== 'success') throw errors.reverted(hash)
  return hash
}

/** The custom error a contract call reverted with (`AlreadySlashed`, …), if viem decoded one. */
export function revertReasonOf(error: unknown): string | undefined {
  const reverted =
    error instanceof ViemBaseError
      ? error.walk((e) => e instanceof ContractFunctionRevertedError)
      : undefined
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined
}
