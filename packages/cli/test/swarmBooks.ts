import { expect } from 'vitest'

type Book = {
  name: string
  spent: string
  earned: string
  rewarded: string
  balanceBefore: string
  balanceAfter: string
}

/** The books of a swarm's `--json` result: balanced to the unit, on chain and in every ledger. */
export function checkBooks(result: {
  balanced: boolean
  calls: number
  receiptsVerified: number
  books: Book[]
  channels: { status: string; paid: string; refunded: string; deposit: string }[]
}) {
  expect(result.balanced).toBe(true)
  expect(result.calls).toBeGreaterThanOrEqual(5)
  expect(result.receiptsVerified).toBe(result.calls)
  const spent = result.books.reduce((s, b) => s + BigInt(b.spent), 0n)
  const earned = result.books.reduce((s, b) => s + BigInt(b.earned), 0n)
  expect(earned).toBe(spent)
  // Every agent's balance moved by exactly its ledger (and any slashed stake paid to it), read
  // back from the chain.
  for (const b of result.books)
    expect(BigInt(b.balanceAfter) - BigInt(b.balanceBefore)).toBe(
      BigInt(b.earned) - BigInt(b.spent) + BigInt(b.rewarded),
    )
  for (const c of result.channels) {
    expect(c.status).toBe('closed')
    expect(BigInt(c.paid) + BigInt(c.refunded)).toBe(BigInt(c.deposit))
  }
}
