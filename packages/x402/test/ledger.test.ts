import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { createSqliteX402Ledger } from '../src/node.js'

const dir = mkdtempSync(join(tmpdir(), 'gotong-x402-ledger-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const payer = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const
const payee = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as const
const nonce = `0x${'ab'.repeat(32)}` as const
const payment = {
  direction: 'earned' as const,
  payer,
  payee,
  authorizationNonce: nonce,
  network: 'eip155:31337',
  asset: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const,
  amount: 2_000n,
  resource: 'http://127.0.0.1:1234/tools/word-count/x402',
  tool: 'word-count',
  requestHash: `0x${'01'.repeat(32)}` as const,
  createdAt: 1_000,
}

describe('the x402 ledger', () => {
  test('an authorization nonce is reserved once, across restarts, whatever became of it', () => {
    const path = join(dir, 'a.sqlite')
    const ledger = createSqliteX402Ledger(path)
    expect(ledger.reserve(payment)).toBe(true)
    expect(ledger.reserve({ ...payment, tool: 'another-tool' })).toBe(false) // reused elsewhere
    ledger.fail(payment, 'the tool failed; nothing settled')
    expect(ledger.reserve(payment)).toBe(false) // failed, still spent
    ledger.close()
    const again = createSqliteX402Ledger(path)
    expect(again.reserve({ ...payment, payer: payer.toLowerCase() as `0x${string}` })).toBe(false)
    // The same nonce from another payer, or in the other direction, is another payment.
    expect(again.reserve({ ...payment, payer: payee })).toBe(true)
    expect(again.reserve({ ...payment, direction: 'paid' })).toBe(true)
    expect(again.get(payment)).toMatchObject({
      status: 'failed',
      failure: 'the tool failed; nothing settled',
      amount: 2_000n,
      tool: 'word-count',
    })
    again.close()
  })

  test('a settled payment keeps its transaction and receipt; a late failure does not undo it', () => {
    const ledger = createSqliteX402Ledger(join(dir, 'b.sqlite'))
    ledger.reserve(payment)
    const receipt = {
      receipt: {
        payer,
        authorizationNonce: nonce,
        amount: 2_000n,
        requestHash: payment.requestHash,
        responseHash: `0x${'02'.repeat(32)}` as const,
        transaction: `0x${'03'.repeat(32)}` as const,
        servedAt: 2n,
      },
      signature: `0x${'04'.repeat(65)}` as const,
    }
    ledger.settle(payment, { transaction: `0x${'03'.repeat(32)}`, receipt, settledAt: 2_000 })
    ledger.fail(payment, 'too late')
    const [kept] = ledger.list({ direction: 'earned' })
    expect(kept).toMatchObject({ status: 'settled', settledAt: 2_000, failure: undefined, receipt })
    expect(ledger.list({ direction: 'paid' })).toEqual([])
    expect(ledger.list({ status: 'settled' })).toHaveLength(1)
    ledger.close()
  })
})
