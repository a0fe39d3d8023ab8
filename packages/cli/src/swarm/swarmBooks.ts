import { join } from 'node:path'
import type { PayerVoucher } from '@gotong/payments'
import { createSqlitePayeeStore } from '@gotong/payments/node'
import type { Address } from 'viem'
import { earnedLedger } from './earnedLedger.js'

/** What one agent did, with its balance read back from the chain. */
export type AgentBook = {
  name: string
  address: Address
  role: 'orchestrator' | 'provider'
  callsMade: number
  callsServed: number
  spent: bigint
  earned: bigint
  /** Paid to it out of a slashed provider's stake (a reported lie). */
  rewarded: bigint
  balanceBefore: bigint
  balanceAfter: bigint
}

/**
 * The swarm's books: each provider's ledger and the orchestrator's served vouchers against the
 * balances on chain, to the unit. The orchestrator's balance also holds what slashes paid it;
 * a slashed provider's stake left its wallet before `before` was read, so its book is its calls.
 */
export async function swarmBooks(parameters: {
  providers: readonly { name: string; address: Address; store: string }[]
  orchestrator: Address
  /** The orchestrator's served vouchers. */
  served: readonly PayerVoucher[]
  /** Paid to the orchestrator out of slashed stake. */
  rewarded: bigint
  /** Balances before the job. */
  before: ReadonlyMap<string, bigint>
  balance: (who: Address) => Promise<bigint>
}): Promise<{ books: AgentBook[]; problems: string[] }> {
  const { providers, orchestrator, served, rewarded, before, balance } = parameters
  const problems: string[] = []
  const spent = served.reduce((s, v) => s + v.amount, 0n)
  const books: AgentBook[] = []
  for (const p of providers) {
    const store = createSqlitePayeeStore(join(p.store, 'payee.sqlite'))
    const earnedRows = store.listVouchers({ status: 'committed' })
    store.close()
    const earned = earnedLedger(earnedRows)
    const after = await balance(p.address)
    books.push({
      name: p.name,
      address: p.address,
      role: 'provider',
      callsMade: 0,
      callsServed: earnedRows.length,
      spent: 0n,
      earned,
      rewarded: 0n,
      balanceBefore: before.get(p.address)!,
      balanceAfter: after,
    })
    if (after - before.get(p.address)! !== earned)
      problems.push(`${p.name}: on-chain gain ${after - before.get(p.address)!} ≠ ledger ${earned}`)
  }
  const orchestratorAfter = await balance(orchestrator)
  books.unshift({
    name: 'orchestrator',
    address: orchestrator,
    role: 'orchestrator',
    callsMade: served.length,
    callsServed: 0,
    spent,
    earned: 0n,
    rewarded,
    balanceBefore: before.get(orchestrator)!,
    balanceAfter: orchestratorAfter,
  })
  if (before.get(orchestrator)! - orchestratorAfter !== spent - rewarded)
    problems.push(
      `orchestrator: on-chain spend ${before.get(orchestrator)! - orchestratorAfter} ≠ ledger ${spent} less ${rewarded} of slashed stake`,
    )
  const earnedTotal = books.reduce((s, b) => s + b.earned, 0n)
  if (earnedTotal !== spent)
    problems.push(`providers earned ${earnedTotal} but the orchestrator paid ${spent}`)
  return { books, problems }
}
