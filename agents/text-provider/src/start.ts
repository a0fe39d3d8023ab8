import type { ServeOptions } from '@gotong/agent'
import { type AgentStartOptions, type RunningAgent, startProvider } from '@gotong/agent-runner'
import { keywordsTool } from '@gotong/tool-keywords'
import { sentimentTool } from '@gotong/tool-sentiment'
import { createSummarizeTool, type SummarizeModel, summarizeTool } from '@gotong/tool-summarize'

/** Options of the text-provider: where to run, and optionally its prices, SLA and summarizing model. */
export type TextProviderOptions = AgentStartOptions & {
  /** Price per call of each tool: base units, or a decimal string in gUSD. */
  prices?: { keywords?: bigint | string; sentiment?: bigint | string; summarize?: bigint | string }
  sla?: ServeOptions['sla']
  /** A chat model for `summarize`; without one it summarizes extractively. */
  llm?: SummarizeModel
}

/** The text-provider's listed terms unless told otherwise: standard prices, a tight SLA. */
export const textProviderDefaults = {
  prices: { keywords: '0.002', sentiment: '0.002', summarize: '0.003' },
  sla: { p95LatencyMs: 800, callsPerMinute: 600 },
} as const

/**
 * Starts the text-provider: an agent that sells `keywords`, `sentiment` and `summarize` at standard prices with a tight SLA (p95 800 ms).
 *
 * @example
 * const devnet = await startDevnet()
 * const { agent, served, stop } = await start({ network: devnet, account: devnet.accounts[2].privateKey })
 */
export function start(options: TextProviderOptions): Promise<RunningAgent> {
  const sla = options.sla ?? textProviderDefaults.sla
  const prices = { ...textProviderDefaults.prices, ...options.prices }
  const summarize = options.llm ? createSummarizeTool({ llm: options.llm }) : summarizeTool
  return startProvider(options, 'text-provider', [
    { tool: keywordsTool, options: { price: prices.keywords, sla } },
    { tool: sentimentTool, options: { price: prices.sentiment, sla } },
    { tool: summarize, options: { price: prices.summarize, sla } },
  ])
}
