import { gotongTokenAbi, paymentChannelsAbi, providerStakeAbi } from '@gotong/contracts'
import type { Address, Hex, PublicClient } from 'viem'

/** What the chain says now: gUSD balances and stakes of the agents and the state of their channels. */
export type ChainView = {
  block: string
  /** Base units as decimal strings, by lowercase address. */
  balances: Record<string, string>
  /**
   * Stake each agent keeps behind all its tools at ProviderStake (less what it asked back), by
   * lowercase address; empty where the deployment has none. Stake behind one tool is the
   * listing's.
   */
  stakes: Record<string, string>
  channels: Record<string, { deposit: string; claimed: string; status: string }>
}

const statuses = ['none', 'open', 'closing', 'closed'] as const

/**
 * Reads gUSD balances and channel states from the chain, as of one block: what the view draws
 * beside the agents' own reports, so a reader can check them against each other.
 *
 * @example const view = await readChain(client, contracts, { agents, channels })
 */
export async function readChain(
  client: PublicClient,
  contracts: {
    gotongToken: Address
    paymentChannels: Address
    providerStake?: Address | undefined
  },
  { agents, channels }: { agents: readonly Address[]; channels: readonly Hex[] },
): Promise<ChainView> {
  const blockNumber = await client.getBlockNumber({ cacheTime: 0 })
  const { providerStake } = contracts
  const [balances, states, stakes] = await Promise.all([
    Promise.all(
      agents.map((who) =>
        client.readContract({
          address: contracts.gotongToken,
          abi: gotongTokenAbi,
          functionName: 'balanceOf',
          args: [who],
          blockNumber,
        }),
      ),
    ),
    Promise.all(
      channels.map((channelId) =>
        client.readContract({
          address: contracts.paymentChannels,
          abi: paymentChannelsAbi,
          functionName: 'getChannel',
          args: [channelId],
          blockNumber,
        }),
      ),
    ),
    Promise.all(
      providerStake
        ? agents.map((who) =>
            client.readContract({
              address: providerStake,
              abi: providerStakeAbi,
              functionName: 'stakeOf',
              args: [who, 0n],
              blockNumber,
            }),
          )
        : [],
    ),
  ])
  return {
    block: blockNumber.toString(),
    balances: Object.fromEntries(agents.map((a, i) => [a.toLowerCase(), balances[i]!.toString()])),
    stakes: Object.fromEntries(stakes.map((s, i) => [agents[i]!.toLowerCase(), s.toString()])),
    channels: Object.fromEntries(
      channels.map((id, i) => {
        const c = states[i]!
        return [
          id.toLowerCase(),
          {
            deposit: c.deposit.toString(),
            claimed: c.claimed.toString(),
            status: statuses[c.status] ?? 'none',
          },
        ]
      }),
    ),
  }
}
