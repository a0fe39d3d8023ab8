import type { ServeOptions } from '@gotong/agent'
import { type AgentStartOptions, type RunningAgent, startProvider } from '@gotong/agent-runner'
import { convertTool, createConvertTool, type RateTable } from '@gotong/tool-convert'

/** Options of the convert provider: where to run, and optionally its terms and rate table. */
export type ConvertProviderOptions = AgentStartOptions & {
  /** Price per call: base units, or a decimal string in gUSD. */
  price?: bigint | string
  sla?: ServeOptions['sla']
  /** Exchange rates to convert currencies with (the tool's bundled, dated table by default). */
  rates?: RateTable
}

/** The convert provider's terms unless told otherwise. */
export const convertProviderDefaults = {
  price: '0.0005',
  sla: { p95LatencyMs: 300, callsPerMinute: 1_200 },
} as const

/**
 * Starts the convert provider: an agent that sells `convert` (units of length, mass, volume and
 * temperature, and currencies at a dated rate table).
 *
 * @example
 * const { served } = await start({ network: devnet, account: devnet.accounts[5].privateKey })
 */
export function start(options: ConvertProviderOptions): Promise<RunningAgent> {
  const tool = options.rates ? createConvertTool({ rates: options.rates }) : convertTool
  return startProvider(options, 'convert-provider', [
    {
      tool,
      options: {
        price: options.price ?? convertProviderDefaults.price,
        sla: options.sla ?? convertProviderDefaults.sla,
      },
    },
  ])
}
