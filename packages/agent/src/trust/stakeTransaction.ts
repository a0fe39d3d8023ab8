import { providerStakeAbi } from '@gotong/contracts'
import {
  type Address,
  ContractFunctionRevertedError,
  type Hex,
  BaseError as ViemBaseError,
} from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import { AgentError } from '../errors.js'

/** The deployment's ProviderStake, or `STAKE_UNAVAILABLE` where none is deployed. */
export function providerStakeOf(agent: AgentContext): Address {
  const address = agent.contracts.providerStake
  if (!address)
    throw new AgentError(
      'STAKE_UNAVAILABLE',
      'This deployment has no ProviderStake contract (deployments.contracts.providerStake).',
    )
  return address
}

type StakeFunction = 'stake' | 'requestWithdrawal' | 'withdraw' | 'declareDeterministic'

/**
 * Sends one ProviderStake transaction from the agent's wallet, in its transaction queue, and
 * waits for it; a revert is `STAKE_REFUSED` with the contract's error name in `data.reason`.
 */
export async function stakeTransaction(
  agent: AgentContext,
  functionName: StakeFunction,
  args: readonly unknown[],
): Promise<Hex> {
  const address = providerStakeOf(agent)
  return agent.consumer.queue(async () => {
    let hash: Hex
    try {
      const { request } = await agent.publicClient.simulateContract({
        address,
        abi: providerStakeAbi,
        functionName,
        args,
        account: agent.wallet.account,
      } as never)
      hash = await agent.wallet.writeContract({
        ...(request as object),
        chain: agent.wallet.chain,
      } as never)
    } catch (error) {
      throw refused(functionName, error)
    }
    const receipt = await agent.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success')
      throw new AgentError('STAKE_REFUSED', `ProviderStake.${functionName} reverted (${hash}).`)
    return hash
  })
}

/** The custom error a contract call reverted with (`AlreadySlashed`, …), if viem decoded one. */
export function revertReasonOf(error: unknown): string | undefined {
  const reverted =
    error instanceof ViemBaseError
      ? error.walk((e) => e instanceof ContractFunctionRevertedError)
      : undefined
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined
}

function refused(functionName: StakeFunction, error: unknown): AgentError {
  const reason = revertReasonOf(error)
  return new AgentError(
    'STAKE_REFUSED',
    `ProviderStake refused ${functionName}${reason ? `: ${reason}` : ''}.`,
    { cause: error as Error, data: { ...(reason ? { reason } : {}) } },
  )
}
