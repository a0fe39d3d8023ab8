import type { Agent } from '@gotong/agent'
import { formatAmount } from '@gotong/core'
import { type Budget, createBudget } from '@gotong/payments'
import type { GatewayConfig } from './gatewayConfig.js'

const day = 86_400_000

/** What `gotong_budget` reports: gUSD spent and left, in all and per tool. */
export type SpendingSummary = {
  currency: 'gUSD'
  session: { spent: string; left: string | null }
  daily: { spent: string; left: string | null }
  tools: { toolId: string; spent: string; left: string | null }[]
}

/** The gateway's budgets: one tree, so every call is held against each limit at once. */
export type Spending = {
  /** The budget a call of this tool pays from: per tool, within the session, within the day. */
  budgetFor(toolId: bigint): Budget
  summary(): SpendingSummary
}

/**
 * Builds the gateway's budget tree: the last 24 hours (with the payee allowlist) above the
 * session above each tool. The day starts from what the agent's ledger shows it paid in the
 * last 24 hours, each spend at the time it was made, so a restarted gateway cannot spend a
 * day's budget twice.
 */
export function createSpending(
  agent: Agent,
  config: GatewayConfig,
  now: () => number = Date.now,
): Spending {
  let replaying: number | undefined
  const clock = () => replaying ?? now()
  const daily = createBudget(
    'mcp-daily',
    {
      ...(config.dailyBudget !== undefined ? { max: config.dailyBudget } : {}),
      windowMs: day,
      ...(config.payees ? { payees: config.payees } : {}),
    },
    { now: clock },
  )
  const since = now() - day
  for (const voucher of agent.ledger().paid) {
    if (voucher.status !== 'served' || voucher.issuedAt <= since) continue
    // Counted at the time it was paid, whatever the limit: the money already left.
    replaying = voucher.issuedAt
    daily.record(voucher.amount)
  }
  replaying = undefined
  const session = daily.child(
    'session',
    config.sessionBudget !== undefined ? { max: config.sessionBudget } : {},
  )
  const tools = new Map<string, Budget>()
  const budgetFor = (toolId: bigint) => {
    const key = toolId.toString()
    let budget = tools.get(key)
    if (!budget) {
      budget = session.child(key, config.perToolCap !== undefined ? { max: config.perToolCap } : {})
      tools.set(key, budget)
    }
    return budget
  }
  const left = (budget: Budget) => {
    const remaining = budget.remaining()
    return remaining === undefined ? null : gusd(remaining)
  }
  return {
    budgetFor,
    summary: () => ({
      currency: 'gUSD',
      session: { spent: gusd(session.spent()), left: left(session) },
      daily: { spent: gusd(daily.spent()), left: left(daily) },
      tools: [...tools].map(([toolId, budget]) => ({
        toolId,
        spent: gusd(budget.spent()),
        left: left(budget),
      })),
    }),
  }
}

function gusd(amount: bigint): string {
  return formatAmount(amount, 6)
}
