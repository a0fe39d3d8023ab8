import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { PayeeStore, PayerStore } from '@gotong/payments'
import type { Address, Hex } from 'viem'

/** An agent's durable books: the payer's and the payee's SQLite stores, where they exist. */
export type Books = {
  store: string
  payer: PayerStore | undefined
  payee: PayeeStore | undefined
  close(): void
}

/**
 * Opens the voucher logs an agent keeps in its store, without recovering them: a running agent
 * may share the files, and recovery (rolling back calls in flight) is that agent's job.
 */
export async function openBooks(store: string): Promise<Books> {
  const { createSqlitePayeeStore, createSqlitePayerStore } = await import('@gotong/payments/node')
  const payerFile = join(store, 'payer.sqlite')
  const payeeFile = join(store, 'payee.sqlite')
  const payer = existsSync(payerFile) ? createSqlitePayerStore(payerFile) : undefined
  const payee = existsSync(payeeFile) ? createSqlitePayeeStore(payeeFile) : undefined
  return {
    store,
    payer,
    payee,
    close() {
      payer?.close()
      payee?.close()
    },
  }
}

/**
 * The books of another agent kept beside this one (`.gotong/agents/<address>` next to
 * `.gotong/agents/<mine>`), as agents run on one machine against a devnet keep them.
 */
export async function openSiblingBooks(
  store: string,
  address: Address,
): Promise<Books | undefined> {
  const name = address.toLowerCase()
  if (basename(store).toLowerCase() === name) return undefined
  const sibling = join(dirname(store), name)
  return existsSync(sibling) ? openBooks(sibling) : undefined
}

/** What the payer's log says it paid on a channel: calls served and their amounts. */
export function paidOn(payer: PayerStore | undefined, channelId: Hex) {
  if (!payer?.getChannel(channelId)) return null
  const served = payer.listVouchers(channelId).filter((v) => v.status === 'served')
  return { calls: served.length, amount: served.reduce((sum, v) => sum + v.amount, 0n) }
}

/** What the payee's log says it earned on a channel: calls served, newest cumulative, claimed. */
export function earnedOn(payee: PayeeStore | undefined, channelId: Hex) {
  const channel = payee?.getChannel(channelId)
  if (!payee || !channel) return null
  const committed = payee.listVouchers({ channelId, status: 'committed' })
  return {
    calls: committed.length,
    amount: payee.highestCommitted(channelId)?.cumulativeAmount ?? 0n,
    claimed: channel.claimed,
  }
}
