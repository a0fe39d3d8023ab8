import { createClients } from '@gotong/chain'
import { toolDirectoryAbi } from '@gotong/contracts'
import {
  Erc8004Error,
  type Erc8004WalletClient,
  findAgentIds,
  readAgent,
  registerAgentIdentity,
  setAgentWallet,
} from '@gotong/identity'
import { type Address, type LocalAccount, zeroHash } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { AgentContext } from '../agent/agentContext.js'
import { loadSavedIdentity, type Registered, saveIdentity } from './identityState.js'
import { serveRegistration } from './serveRegistration.js'

/**
 * The agent's ERC-8004 agent id, registering it on first use: the id saved in its store, else
 * one its owner already holds whose wallet is this agent (a lost store, a new machine), else a
 * new one. The agent's account becomes (or stays) the agent's wallet, proven with its EIP-712
 * consent when another account owns the identity. An old gotong agent card in the directory is
 * cleared: the registration file replaces it.
 */
export function ensureRegistered(agent: AgentContext): Promise<Registered> {
  const state = agent.state.identity
  if (!state.registered) {
    state.registered = register(agent)
    state.registered.catch(() => {
      state.registered = undefined
    })
  }
  return state.registered
}

/** The wallet client that owns the identity: the agent's own, or its `identity.owner`'s. */
export function ownerWalletOf(agent: AgentContext): Erc8004WalletClient {
  const owner = (agent.parameters.identity || undefined)?.owner
  if (!owner) return agent.wallet
  const account: LocalAccount = typeof owner === 'string' ? privateKeyToAccount(owner) : owner
  const { network } = agent.parameters
  return createClients({ rpcUrl: network.rpcUrl, chainId: agent.chainId, account })
    .walletClient as Erc8004WalletClient
}

async function register(agent: AgentContext): Promise<Registered> {
  const { contracts, chainId, store, publicClient, consumer } = agent
  const identityRegistry = contracts.identityRegistry
  if (!identityRegistry)
    throw new Erc8004Error(
      'ERC8004_NOT_DEPLOYED',
      'This deployment names no ERC-8004 identity registry: redeploy (gotong devnet) or name the canonical one in deployments.json.',
    )
  const ownerWallet = ownerWalletOf(agent)
  const owner = ownerWallet.account.address
  const me = agent.account.address
  const known = async (agentId: bigint) => {
    try {
      const found = await readAgent(publicClient, { identityRegistry, agentId })
      return found.owner === owner ? found : undefined
    } catch (error) {
      // A store kept across devnets names an agent this chain never minted.
      if (error instanceof Erc8004Error && error.code === 'AGENT_NOT_FOUND') return undefined
      throw error
    }
  }
  const saved = loadSavedIdentity(store, chainId, identityRegistry)
  let agent8004 = saved === undefined ? undefined : await known(saved)
  if (!agent8004) {
    const ids = await findAgentIds(publicClient, {
      identityRegistry,
      owner,
      fromBlock: BigInt(agent.parameters.network.deployments.startBlock),
    })
    const agents = await Promise.all(ids.map(known))
    // Its own agent, by wallet; an owner that is the agent itself takes its first one.
    agent8004 =
      agents.find((a) => a?.wallet === me) ?? (owner === me ? agents.find(Boolean) : undefined)
  }
  // An https URI is known before the id, so it goes in the registration itself; a data: URI
  // holds the id, so it is set right after.
  const uri = (agent.parameters.identity || undefined)?.uri
  const agentId =
    agent8004?.agentId ??
    (
      await consumer.queue(() =>
        registerAgentIdentity(ownerWallet, { identityRegistry, agentURI: uri }),
      )
    ).agentId
  // A new agent's wallet is its registrant.
  if ((agent8004 ? agent8004.wallet : owner) !== me)
    await consumer.queue(() =>
      setAgentWallet(ownerWallet, { identityRegistry, agentId, wallet: agent.account }),
    )
  saveIdentity(store, { chainId, identityRegistry, agentId })
  await clearOldCard(agent)
  serveRegistration(agent)
  return { agentId, identityRegistry, owner }
}

/** Clears a gotong agent card (`agent-card-v1`) this account left in the directory. */
async function clearOldCard(agent: AgentContext): Promise<void> {
  const directory = agent.contracts.toolDirectory
  const card = await agent.publicClient.readContract({
    address: directory,
    abi: toolDirectoryAbi,
    functionName: 'agentCard',
    args: [agent.account.address as Address],
  })
  if (card.cardHash === zeroHash) return
  await agent.consumer.queue(async () => {
    const hash = await agent.wallet.writeContract({
      address: directory,
      abi: toolDirectoryAbi,
      functionName: 'clearAgentCard',
      account: agent.wallet.account,
      chain: agent.wallet.chain,
    })
    await agent.publicClient.waitForTransactionReceipt({ hash })
  })
}
