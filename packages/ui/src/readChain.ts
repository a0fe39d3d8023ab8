import { gotongTokenAbi, paymentChannelsAbi } from '@gotong/contracts'
import type { Address, Hex, PublicClient } from 'viem'

/** What the chain says now: gUSD balances of the agents and the state of their channels. */
export type ChainView = {
  block: string
  /** Base units as decimal strings, by lowercase address. */
  balances: Record<string, string>
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
  contracts: { gotongToken: Address; paymentChannels: Address },
  { agents, channels }: { agents: readonly Address[]; channels: readonly Hex[] },
): Promise<ChainView> {
  const blockNumber = await client.getBlockNumber({ cacheTime: 0 })
  const [balances, states] = await Promise.all([
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
  ])
  return {
    block: blockNumber.toString(),
    balances: Object.fromEntries(agents.map((a, i) => [a.toLowerCase(), balances[i]!.toString()])),
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
