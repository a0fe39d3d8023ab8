import { start as startBudgetText } from '@gotong/agent-budget-text-provider'
import { start as startConvert } from '@gotong/agent-convert-provider'
import { start as startPremium } from '@gotong/agent-premium-provider'
import type { AgentStartOptions, RunningAgent } from '@gotong/agent-runner'
import { start as startStats } from '@gotong/agent-stats-provider'
import { start as startText } from '@gotong/agent-text-provider'

/** One provider of the swarm: its package folder (for `--processes`) and how to start it here. */
export type ProviderKind = {
  kind: string
  start: (options: AgentStartOptions) => Promise<RunningAgent>
}

/** The swarm's providers in start order; `--agents N` repeats the text providers with other prices. */
export const providerKinds: ProviderKind[] = [
  { kind: 'stats-provider', start: startStats },
  { kind: 'text-provider', start: startText },
  { kind: 'budget-text-provider', start: startBudgetText },
  { kind: 'premium-provider', start: startPremium },
  { kind: 'convert-provider', start: startConvert },
]

/** `count` providers: the five kinds, then more text providers competing on price. */
export function swarmProviders(count: number): ProviderKind[] {
  const kinds: ProviderKind[] = []
  for (let i = 0; i < count; i++) {
    const base = providerKinds[i % providerKinds.length]!
    kinds.push(
      i < providerKinds.length
        ? base
        : { ...base, kind: `${base.kind}-${Math.floor(i / providerKinds.length) + 1}` },
    )
  }
  return kinds
}
