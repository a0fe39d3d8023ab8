import { x402Facilitator } from '@x402/core/facilitator'
import type { FacilitatorClient } from '@x402/core/server'
import type { Network, SupportedResponse } from '@x402/core/types'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { registerExactEvmScheme } from '@x402/evm/exact/facilitator'
import type { Account, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'

/** Parameters of {@link createLocalFacilitator}. */
export type LocalFacilitatorParameters = {
  /** Reads the chain: signatures of contract wallets, simulations, receipts. */
  publicClient: PublicClient
  /** Sends the settlement transactions and pays their gas: the provider's own wallet. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>
  /** CAIP-2 networks it settles on (`eip155:31337`). */
  networks: readonly Network[]
}

/**
 * An x402 facilitator in this process: x402's own facilitator (`x402Facilitator` with the
 * `exact` EVM scheme) verifying payments and settling them with the provider's wallet, so a
 * provider needs no facilitator service. Its transactions are sent one at a time, so two
 * settlements never race for one account nonce.
 *
 * @example
 * const facilitator = createLocalFacilitator({ publicClient, walletClient, networks: ['eip155:31337'] })
 */
export function createLocalFacilitator(parameters: LocalFacilitatorParameters): FacilitatorClient {
  const { publicClient, walletClient } = parameters
  const { account, chain } = walletClient
  let queue: Promise<unknown> = Promise.resolve()
  const oneAtATime = <T>(send: () => Promise<T>): Promise<T> => {
    const sent = queue.then(send, send)
    queue = sent.catch(() => undefined)
    return sent
  }
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) => publicClient.readContract(args as never),
    verifyTypedData: (args) => publicClient.verifyTypedData(args as never),
    writeContract: (args) =>
      oneAtATime(() => walletClient.writeContract({ ...args, account, chain } as never)),
    sendTransaction: (args) =>
      oneAtATime(() => walletClient.sendTransaction({ ...args, account, chain } as never)),
    waitForTransactionReceipt: (args) => publicClient.waitForTransactionReceipt(args),
    getCode: async (args) => (await publicClient.getCode(args)) as Hex | undefined,
  })
  const facilitator = registerExactEvmScheme(new x402Facilitator(), {
    signer,
    networks: [...parameters.networks],
  })
  return {
    verify: (payload, requirements) => facilitator.verify(payload, requirements),
    settle: (payload, requirements) => facilitator.settle(payload, requirements),
    // x402's facilitator lists networks as plain strings; they are the CAIP-2 ones it was given.
    getSupported: async () => facilitator.getSupported() as SupportedResponse,
  }
}
