import { agentIdentityOf, findAgentIds, readAgent } from '@gotong/identity'
import type { Address } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'

/**
 * The ERC-8004 agent whose wallet is `payee`: the one the tool's manifest names
 * (`dev.gotong.erc8004`), if its wallet is the payee, else the first whose wallet the payee is
 * now; undefined when the payee is no registered agent's wallet. Found once per payee.
 */
export function findPayeeAgent(
  agent: AgentContext,
  payee: Address,
  toolId: bigint,
): Promise<bigint | undefined> {
  const { agentIds } = agent.state.identity
  const key = payee.toLowerCase()
  let found = agentIds.get(key)
  if (!found) {
    found = lookUp(agent, payee, toolId)
    agentIds.set(key, found)
    // Not registered yet is not for good: ask again next time.
    found.then(
      (id) => id === undefined && agentIds.delete(key),
      () => agentIds.delete(key),
    )
  }
  return found
}

async function lookUp(
  agent: AgentContext,
  payee: Address,
  toolId: bigint,
): Promise<bigint | undefined> {
  const identityRegistry = agent.contracts.identityRegistry
  if (!identityRegistry) return undefined
  const walletOf = async (agentId: bigint) =>
    (await readAgent(agent.publicClient, { identityRegistry, agentId }).catch(() => undefined))
      ?.wallet
  const manifest = await agent.consumer.listing(toolId).then(
    (listing) => listing.manifest,
    () => undefined,
  )
  const named = agentIdentityOf(manifest)
  if (
    named &&
    named.chainId === agent.chainId &&
    named.identityRegistry.toLowerCase() === identityRegistry.toLowerCase() &&
    (await walletOf(named.agentId))?.toLowerCase() === payee.toLowerCase()
  )
    return named.agentId
  const [byWallet] = await findAgentIds(agent.publicClient, {
    identityRegistry,
    wallet: payee,
    fromBlock: BigInt(agent.parameters.network.deployments.startBlock),
  })
  return byWallet
}
