import { InvalidAmountError } from '@gotong/core'
import { type Address, getAddress } from 'viem'
import { BudgetExceededError } from '../errors.js'

/** Limits of one budget scope. */
export type BudgetLimits = {
  /** Most that may be spent (committed + reserved) within the window, in base units. */
  max?: bigint
  /** Rolling window in milliseconds; without one, `max` is a lifetime cap. */
  windowMs?: number
  /** Only these payees may be paid from this scope (and its children). */
  payees?: readonly Address[]
}

/** A spend held against every scope from a leaf to the root until committed or released. */
export type Reservation = {
  readonly amount: bigint
  /** The spend happened (the receipt came back): it counts against the window from now. */
  commit(): void
  /** The spend did not happen: frees the reservation. Idempotent. */
  release(): void
}

/** One node of a budget tree: swarm → agent → agreement, or any depth you like. */
export type Budget = {
  readonly scope: string
  readonly limits: Readonly<BudgetLimits>
  /** A child scope whose every spend also counts against this one and its ancestors. */
  child(name: string, limits?: BudgetLimits): Budget
  /**
   * Reserves `amount` in this scope and all its ancestors at once, or throws
   * `BudgetExceededError` (`BUDGET_EXCEEDED`, `BUDGET_PAYEE_NOT_ALLOWED`) and reserves nothing.
   * Synchronous, so concurrent callers in one process can never overspend together.
   */
  reserve(amount: bigint, options?: { payee?: Address }): Reservation
  /** Committed spend within the current window. */
  spent(): bigint
  /** Amount held by open reservations. */
  reserved(): bigint
  /** What may still be reserved here, or undefined without a `max` on this scope. */
  remaining(): bigint | undefined
}

type Node = {
  scope: string
  limits: BudgetLimits
  parent: Node | undefined
  payees: Set<string> | undefined
  reserved: bigint
  /** Committed spends, oldest first, for the rolling window. */
  entries: { at: number; amount: bigint }[]
  committedTotal: bigint
  children: Map<string, Budget>
}

/**
 * Creates the root of a hierarchical spending budget. Every voucher a payer signs reserves its
 * amount through the budget first, so no call can push any scope past its limit.
 *
 * @example
 * const swarm = createBudget('swarm', { max: 50_000_000n, windowMs: 3_600_000 })
 * const agent = swarm.child('researcher', { max: 5_000_000n, payees: [provider] })
 * const r = agent.child(termsHash).reserve(2_000n, { payee: provider })
 * // … call succeeded: r.commit(); failed: r.release()
 */
export function createBudget(
  scope: string,
  limits: BudgetLimits = {},
  options: { now?: () => number } = {},
): Budget {
  return wrap(makeNode(scope, limits, undefined), options.now ?? Date.now)
}

function makeNode(scope: string, limits: BudgetLimits, parent: Node | undefined): Node {
  if (limits.max !== undefined && limits.max < 0n)
    throw new InvalidAmountError('negative', `Budget ${scope}: max must not be negative.`)
  return {
    scope,
    limits,
    parent,
    payees: limits.payees && new Set(limits.payees.map((p) => getAddress(p))),
    reserved: 0n,
    entries: [],
    committedTotal: 0n,
    children: new Map(),
  }
}

function wrap(node: Node, now: () => number): Budget {
  const spent = () => spentOf(node, now)
  const budget: Budget = {
    scope: node.scope,
    limits: node.limits,
    child(name, limits = {}) {
      const existing = node.children.get(name)
      if (existing) return existing
      const child = wrap(makeNode(`${node.scope}/${name}`, limits, node), now)
      node.children.set(name, child)
      return child
    },
    reserve(amount, options = {}) {
      if (amount < 0n)
        throw new InvalidAmountError('negative', 'A reservation must not be negative.')
      const chain: Node[] = []
      for (let n: Node | undefined = node; n; n = n.parent) chain.push(n)
      const payee = options.payee && getAddress(options.payee)
      for (const n of chain) {
        if (n.payees && (!payee || !n.payees.has(payee)))
          throw new BudgetExceededError(
            'BUDGET_PAYEE_NOT_ALLOWED',
            `Budget ${n.scope} does not allow paying ${payee ?? 'an unnamed payee'}.`,
            { scope: n.scope },
          )
        if (n.limits.max === undefined) continue
        const used = spentOf(n, now) + n.reserved
        if (used + amount > n.limits.max)
          throw new BudgetExceededError(
            'BUDGET_EXCEEDED',
            `Spending ${amount} would cross the limit of budget ${n.scope}.`,
            {
              scope: n.scope,
              details: `limit ${n.limits.max}, spent ${used - n.reserved}, reserved ${n.reserved}`,
            },
          )
      }
      for (const n of chain) n.reserved += amount
      let open = true
      return {
        amount,
        commit() {
          if (!open) return
          open = false
          const at = now()
          for (const n of chain) {
            n.reserved -= amount
            n.committedTotal += amount
            if (n.limits.windowMs !== undefined) n.entries.push({ at, amount })
          }
        },
        release() {
          if (!open) return
          open = false
          for (const n of chain) n.reserved -= amount
        },
      }
    },
    spent,
    reserved: () => node.reserved,
    remaining() {
      if (node.limits.max === undefined) return undefined
      const left = node.limits.max - spent() - node.reserved
      return left > 0n ? left : 0n
    },
  }
  return budget
}

function spentOf(node: Node, now: () => number): bigint {
  const window = node.limits.windowMs
  if (window === undefined) return node.committedTotal
  const cutoff = now() - window
  while (node.entries.length && node.entries[0]!.at <= cutoff) {
    node.committedTotal -= node.entries.shift()!.amount
  }
  return node.committedTotal
}
