import { formatAmount } from '@gotong/core'
import type { AgentView } from './store.js'

/** Base units of gUSD (6 decimals) as text. */
export const gusd = (amount: bigint | string | undefined): string =>
  amount === undefined ? '—' : formatAmount(BigInt(amount), 6)

/** 0x1234…abcd */
export const short = (hex: string): string => `${hex.slice(0, 6)}…${hex.slice(-4)}`

/** An agent's name if it told it, else its short address. */
export const nameOf = (agents: Map<string, AgentView>, address: string | undefined): string => {
  if (!address) return '—'
  return agents.get(address.toLowerCase())?.name ?? short(address)
}

/** Milliseconds since the page's time origin, on the same clock as `Date.now()`. */
export const wallClock = (): number => performance.timeOrigin + performance.now()
