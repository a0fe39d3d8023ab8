import type { Agent, ServeOptions } from '@gotong/agent'
import { type AgentStartOptions, type RunningAgent, startProvider } from '@gotong/agent-runner'
import { accessPassAbi } from '@gotong/contracts'
import { parseAmount } from '@gotong/core'
import { holderDiscount, pricingPolicy } from '@gotong/negotiation'
import { createDatasetStatsTool } from '@gotong/tool-dataset-stats'
import type { Address } from 'viem'

/** Options of the premium provider: where to run, and optionally its terms and passes. */
export type PremiumProviderOptions = AgentStartOptions & {
  /** Listed price per call before any discount: base units, or a decimal string in gUSD. */
  price?: bigint | string
  sla?: ServeOptions['sla']
  /** AccessPass id a caller must hold to use the tool (default 1). */
  passId?: bigint
  /** AccessPass id whose holders get `discountBps` off (default 2, a "gold" pass). */
  discountPassId?: bigint
  /** Discount for holders of `discountPassId`, in basis points (default 2,500 = 25%). */
  discountBps?: number
}

/** The premium provider's terms unless told otherwise. */
export const premiumProviderDefaults = {
  price: '0.01',
  sla: { p95LatencyMs: 2_000, callsPerMinute: 120 },
  passId: 1n,
  discountPassId: 2n,
  discountBps: 2_500,
} as const

/** The premium tool: the full dataset profile, with quartiles and correlations. */
export const premiumDatasetStatsTool = createDatasetStatsTool({
  name: 'dataset-stats-premium',
  detail: 'full',
  tags: ['statistics', 'premium', 'dataset', 'csv'],
})

/**
 * Starts the premium provider: an agent that sells `dataset-stats-premium` only to holders of
 * the devnet AccessPass (ERC-1155) `passId`, a gate checked on chain through the tool's access
 * predicate, and quotes holders of `discountPassId` a discount in negotiation.
 *
 * @example
 * const { served } = await start({ network: devnet, account: devnet.accounts[4].privateKey })
 * await holder.call(served[0].toolId, { csv }) // GATE_DENIED without AccessPass id 1
 */
export function start(options: PremiumProviderOptions): Promise<RunningAgent> {
  const d = premiumProviderDefaults
  const accessPass = options.network.deployments.contracts.accessPass
  const price =
    typeof options.price === 'bigint' ? options.price : parseAmount(options.price ?? d.price, 6)
  const discountPassId = options.discountPassId ?? d.discountPassId
  return startProvider(options, 'premium-provider', (agent) => [
    {
      tool: premiumDatasetStatsTool,
      options: {
        price,
        sla: options.sla ?? d.sla,
        gate: { erc1155: accessPass, id: options.passId ?? d.passId },
        pricing: pricingPolicy(
          price,
          holderDiscount({
            bps: options.discountBps ?? d.discountBps,
            isHolder: (who) => holds(agent, accessPass, who, discountPassId),
          }),
        ),
      },
    },
  ])
}

async function holds(agent: Agent, pass: Address, who: Address, id: bigint): Promise<boolean> {
  const balance = await agent.publicClient.readContract({
    address: pass,
    abi: accessPassAbi,
    functionName: 'balanceOf',
    args: [who, id],
  })
  return balance > 0n
}
