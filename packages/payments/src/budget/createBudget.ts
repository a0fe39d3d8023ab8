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
  /**
   * Counts a spend that already happened (say, read back from a ledger after a restart) in this
   * scope and its ancestors, at the budget's current time, even past a limit: what is left
   * can only shrink.
   */
  record(amount: bigint): void
  /** Committed spend within the current window. */
  spent(): bigint
  /** Amount held by open reservations. */
  reserved(): bigint
  /** What may still be reserved here, or undefined without a `max` on this scope. */
  remaining(): bigint | undefined
}

type Node = {
  scope: string
  now: () => number
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
  return wrap(makeNode(scope, limits, undefined, options.now ?? Date.now))
}

/**
 * Reserves `amount` in every scope of every budget given, ancestors included, counting a scope
 * shared by several of them once: all or nothing, like `Budget.reserve`. This is how one spend
 * is held against independent budgets at once (a call's own, a toolkit's, the agent's).
 *
 * @example
 * const r = reserveAll([agentBudget, callBudget.child(termsHash)], 2_000n, { payee })
 */
export function reserveAll(
  budgets: readonly Budget[],
  amount: bigint,
  options: { payee?: Address } = {},
): Reservation {
  const scopes = new Set<Node>()
  const foreign: Budget[] = []
  for (const budget of budgets) {
    const node = nodes.get(budget)
    if (!node) foreign.push(budget)
    for (let n: Node | undefined = node; n; n = n.parent) scopes.add(n)
  }
  const own = reserveIn([...scopes], amount, options.payee)
  // Budgets implemented elsewhere reserve through their own `reserve`, undone if one refuses.
  const held: Reservation[] = [own]
  try {
    for (const budget of foreign) held.push(budget.reserve(amount, options))
  } catch (error) {
    for (const r of held) r.release()
    throw error
  }
  if (held.length === 1) return own
  return {
    amount,
    commit: () => {
      for (const r of held) r.commit()
    },
    release: () => {
      for (const r of held) r.release()
    },
  }
}

/** The node behind each budget, for `reserveAll`. */
const nodes = new WeakMap<Budget, Node>()

function makeNode(
  scope: string,
  limits: BudgetLimits,
  parent: Node | undefined,
  now: () => number,
): Node {
  if (limits.max !== undefined && limits.max < 0n)
    throw new InvalidAmountError('negative', `Budget ${scope}: max must not be negative.`)
  return {
    scope,
    now,
    limits,
    parent,
    payees: limits.payees && new Set(limits.payees.map((p) => getAddress(p))),
    reserved: 0n,
    entries: [],
    committedTotal: 0n,
    children: new Map(),
  }
}

function wrap(node: Node): Budget {
  const spent = () => spentOf(node)
  const budget: Budget = {
    scope: node.scope,
    limits: node.limits,
    child(name, limits = {}) {
      const existing = node.children.get(name)
      if (existing) return existing
      const child = wrap(makeNode(`${node.scope}/${name}`, limits, node, node.now))
      node.children.set(name, child)
      return child
    },
    reserve(amount, options = {}) {
      const chain: Node[] = []
      for (let n: Node | undefined = node; n; n = n.parent) chain.push(n)
      return reserveIn(chain, amount, options.payee)
    },
    record(amount) {
      if (amount < 0n) throw new InvalidAmountError('negative', 'A spend must not be negative.')
      for (let n: Node | undefined = node; n; n = n.parent) {
        n.committedTotal += amount
        if (n.limits.windowMs !== undefined) n.entries.push({ at: n.now(), amount })
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
  nodes.set(budget, node)
  return budget
}

/** Checks every scope first and reserves in all of them only if each allows it. */
function reserveIn(scopes: readonly Node[], amount: bigint, payeeGiven?: Address): Reservation {
  if (amount < 0n) throw new InvalidAmountError('negative', 'A reservation must not be negative.')
  const payee = payeeGiven && getAddress(payeeGiven)
  for (const n of scopes) {
    if (n.payees && (!payee || !n.payees.has(payee)))
      throw new BudgetExceededError(
        'BUDGET_PAYEE_NOT_ALLOWED',
        `Budget ${n.scope} does not allow paying ${payee ?? 'an unnamed payee'}.`,
        { scope: n.scope },
      )
    if (n.limits.max === undefined) continue
    const used = spentOf(n) + n.reserved
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
  for (const n of scopes) n.reserved += amount
  let open = true
  return {
    amount,
    commit() {
      if (!open) return
      open = false
      for (const n of scopes) {
        n.reserved -= amount
        n.committedTotal += amount
        if (n.limits.windowMs !== undefined) n.entries.push({ at: n.now(), amount })
      }
    },
    release() {
      if (!open) return
      open = false
      for (const n of scopes) n.reserved -= amount
    },
  }
}

function spentOf(node: Node): bigint {
  const window = node.limits.windowMs
  if (window === undefined) return node.committedTotal
  const cutoff = node.now() - window
  while (node.entries.length && node.entries[0]!.at <= cutoff) {
    node.committedTotal -= node.entries.shift()!.amount
  }
  return node.committedTotal
}
