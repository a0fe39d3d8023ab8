import type { ServeOptions } from '@gotong/agent'
import { type AgentStartOptions, type RunningAgent, startProvider } from '@gotong/agent-runner'
import { keywordsTool } from '@gotong/tool-keywords'
import { sentimentTool } from '@gotong/tool-sentiment'
import { createSummarizeTool, type SummarizeModel, summarizeTool } from '@gotong/tool-summarize'

/** Options of the budget-text-provider: where to run, and optionally its prices, SLA and summarizing model. */
export type BudgetTextProviderOptions = AgentStartOptions & {
  /** Price per call of each tool: base units, or a decimal string in gUSD. */
  prices?: { keywords?: bigint | string; sentiment?: bigint | string; summarize?: bigint | string }
  sla?: ServeOptions['sla']
  /** A chat model for `summarize`; without one it summarizes extractively. */
  llm?: SummarizeModel
}

/** The budget-text-provider's listed terms unless told otherwise: half the price of the text provider, a loose SLA. */
export const budgetTextProviderDefaults = {
  prices: { keywords: '0.001', sentiment: '0.001', summarize: '0.0015' },
  sla: { p95LatencyMs: 5000, callsPerMinute: 60 },
} as const

/**
 * Starts the budget-text-provider: an agent that sells `keywords`, `sentiment` and `summarize`, the same capabilities as the text provider at half its prices with a looser SLA (p95 5 s, 60 calls a minute): a competing offer.
 *
 * @example
 * const devnet = await startDevnet()
 * const { agent, served, stop } = await start({ network: devnet, account: devnet.accounts[2].privateKey })
 */
export function start(options: BudgetTextProviderOptions): Promise<RunningAgent> {
  const sla = options.sla ?? budgetTextProviderDefaults.sla
  const prices = { ...budgetTextProviderDefaults.prices, ...options.prices }
  const summarize = options.llm ? createSummarizeTool({ llm: options.llm }) : summarizeTool
  return startProvider(options, 'budget-text-provider', [
    { tool: keywordsTool, options: { price: prices.keywords, sla } },
    { tool: sentimentTool, options: { price: prices.sentiment, sla } },
    { tool: summarize, options: { price: prices.summarize, sla } },
  ])
}
