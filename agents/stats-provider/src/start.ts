import type { ServeOptions } from '@gotong/agent'
import { type AgentStartOptions, type RunningAgent, startProvider } from '@gotong/agent-runner'
import { datasetStatsTool } from '@gotong/tool-dataset-stats'
import { dedupeTool } from '@gotong/tool-dedupe'

/** Options of the stats provider: where to run, and optionally its prices and SLA. */
export type StatsProviderOptions = AgentStartOptions & {
  /** Price per call of each tool: base units, or a decimal string in gUSD. */
  prices?: { 'dataset-stats'?: bigint | string; dedupe?: bigint | string }
  sla?: ServeOptions['sla']
}

/** The stats provider's listed terms unless told otherwise. */
export const statsProviderDefaults = {
  prices: { 'dataset-stats': '0.002', dedupe: '0.001' },
  sla: { p95LatencyMs: 1_500, callsPerMinute: 600 },
} as const

/**
 * Starts the stats provider: an agent that sells `dataset-stats` (column profiles of CSV or
 * JSON rows) and `dedupe` (duplicate detection by content hash) in the directory.
 *
 * @example
 * const devnet = await startDevnet()
 * const { agent, served, stop } = await start({ network: devnet, account: devnet.accounts[1].privateKey })
 */
export function start(options: StatsProviderOptions): Promise<RunningAgent> {
  const sla = options.sla ?? statsProviderDefaults.sla
  const prices = { ...statsProviderDefaults.prices, ...options.prices }
  return startProvider(options, 'stats-provider', [
    { tool: datasetStatsTool, options: { price: prices['dataset-stats'], sla } },
    { tool: dedupeTool, options: { price: prices.dedupe, sla } },
  ])
}
