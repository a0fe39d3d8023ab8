import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { createBudget } from '@gotong/payments'
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createX402Payer, type X402Ledger, type X402Payer, X402PaymentError } from '../src/index.js'
import { createSqliteX402Ledger } from '../src/node.js'
import { startSeller, v1Network } from './consumerServer.js'

const price = 2_000n // 0.002 gUSD
const dir = mkdtempSync(join(tmpdir(), 'gotong-x402-consumer-'))
let devnet: Devnet
let seller: Awaited<ReturnType<typeof startSeller>>
let gUSD: Address
let payTo: Address
let ledger: X402Ledger
let n = 0

beforeAll(async () => {
  devnet = await startDevnet({ accounts: 5 })
  gUSD = devnet.deployments!.contracts.gotongToken
  payTo = devnet.accounts[2]!.address
  seller = await startSeller({
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    facilitatorKey: devnet.accounts[3]!.privateKey,
    payTo,
    gUSD,
    otherAsset: devnet.deployments!.contracts.paymentChannels,
    price,
  })
  ledger = createSqliteX402Ledger(join(dir, 'x402.sqlite'))
}, 60_000)
afterAll(async () => {
  ledger?.close()
  await seller?.stop()
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const balance = (who: Address) =>
  devnet.publicClient.readContract({
    address: gUSD,
    abi: gotongTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  })

/** A payer for account 1 (or 4), with its own budgets. */
function payer(options: { account?: number; budget?: ReturnType<typeof createBudget> } = {}) {
  return createX402Payer({
    account: privateKeyToAccount(devnet.accounts[options.account ?? 1]!.privateKey),
    chainId: devnet.chainId,
    assets: [gUSD],
    publicClient: devnet.publicClient,
    ledger,
    budgets: options.budget ? [options.budget] : [],
    v1Networks: [v1Network],
  })
}

const wordCount = (p: X402Payer, path = '/word-count', extra = {}) =>
  p.pay({
    url: `${seller.url}${path}`,
    body: JSON.stringify({ text: `many hands make light work ${n++}` }),
    tool: 'word-count',
    ...extra,
  })

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  )

/** Requests the seller saw since `from`: [path, PAYMENT-SIGNATURE sent, X-PAYMENT sent]. */
const seenSince = (from: number) =>
  seller.seen.slice(from).map((s) => [s.path, s.signature, s.xPayment] as const)

describe('a gotong payer pays an x402 server made of x402’s packages', () => {
  test('v2: the output comes back, the price moves on chain, the ledger keeps the transfer', async () => {
    const p = payer()
    const [before, sellerBefore, from] = [
      await balance(p.address),
      await balance(payTo),
      seller.seen.length,
    ]
    const started = performance.now()
    const answer = await wordCount(p)
    const elapsed = performance.now() - started
    expect(answer.body).toEqual({ words: 6 })
    expect(await balance(p.address)).toBe(before - price)
    expect(await balance(payTo)).toBe(sellerBefore + price)
    expect(seenSince(from)).toEqual([
      ['/word-count', false, false],
      ['/word-count', true, false],
    ])
    const row = ledger.get(answer.payment!)!
    expect(row).toMatchObject({
      direction: 'paid',
      payer: p.address.toLowerCase(),
      payee: payTo.toLowerCase(),
      amount: price,
      asset: gUSD.toLowerCase(),
      network: `eip155:${devnet.chainId}`,
      resource: `${seller.url}/word-count`,
      tool: 'word-count',
      status: 'settled',
      transaction: answer.settlement!.transaction,
    })
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash: row.transaction! })
    expect(receipt.status).toBe('success')
    console.info(`x402 v2 paid call, 402 to settled output: ${elapsed.toFixed(1)} ms`)
  })

  test('v1: an X-PAYMENT endpoint is paid the same way', async () => {
    const p = payer()
    const [before, from] = [await balance(p.address), seller.seen.length]
    const answer = await wordCount(p, '/v1/word-count')
    expect(answer.body).toEqual({ words: 6 })
    expect(await balance(p.address)).toBe(before - price)
    expect(seenSince(from)).toEqual([
      ['/v1/word-count', false, false],
      ['/v1/word-count', false, true],
    ])
    expect(answer.payment).toMatchObject({ status: 'settled', amount: price })
    expect(ledger.get(answer.payment!)?.transaction).toBe(answer.settlement!.transaction)
  })
})

describe('the budget decides before anything is signed', () => {
  test('a budget that allows one call: the second is refused, no signature reaches the server', async () => {
    const budget = createBudget('job', { max: 3_000n })
    const p = payer({ budget })
    expect(await codeOf(wordCount(p))).toBe('ok')
    const [before, sellerBefore, rows, from] = [
      await balance(p.address),
      await balance(payTo),
      ledger.list().length,
      seller.seen.length,
    ]
    const refused = await wordCount(p).catch((e: unknown) => e)
    expect((refused as X402PaymentError).code).toBe('BUDGET_EXCEEDED')
    expect(seenSince(from)).toEqual([['/word-count', false, false]])
    expect([await balance(p.address), await balance(payTo)]).toEqual([before, sellerBefore])
    expect(ledger.list()).toHaveLength(rows)
    expect([budget.spent(), budget.reserved()]).toEqual([price, 0n])
  })

  test('maxPrice below the price: PRICE_TOO_HIGH, nothing signed', async () => {
    const [rows, from] = [ledger.list().length, seller.seen.length]
    const refused = await wordCount(payer(), '/word-count', { maxPrice: price - 1n }).catch(
      (e: unknown) => e,
    )
    expect(refused).toBeInstanceOf(X402PaymentError)
    expect((refused as X402PaymentError).code).toBe('PRICE_TOO_HIGH')
    expect(seenSince(from)).toEqual([['/word-count', false, false]])
    expect(ledger.list()).toHaveLength(rows)
  })

  test('a payee not on the allowlist is refused; so is a payee other than the one expected', async () => {
    const budget = createBudget('allowlist', { payees: [devnet.accounts[4]!.address] })
    expect(await codeOf(wordCount(payer({ budget })))).toBe('BUDGET_PAYEE_NOT_ALLOWED')
    const expected = { payee: devnet.accounts[4]!.address }
    expect(await codeOf(wordCount(payer(), '/word-count', expected))).toBe('X402_PAYEE_MISMATCH')
    expect(budget.reserved()).toBe(0n)
  })

  test('an asset the payer cannot price is refused with a typed error, nothing signed', async () => {
    const from = seller.seen.length
    const refused = payer().pay({ url: `${seller.url}/other-token` })
    expect(await codeOf(refused)).toBe('X402_ASSET_UNSUPPORTED')
    expect(seenSince(from)).toEqual([['/other-token', false, false]])
  })

  test('a failed call settles nothing and frees its reservation; the ledger says why', async () => {
    const budget = createBudget('flaky', { max: 10_000n })
    const p = payer({ budget })
    const before = await balance(p.address)
    seller.failNext(true)
    const failed = await p.pay({ url: `${seller.url}/flaky`, body: '{}' }).then(
      () => undefined,
      (e: unknown) => e as X402PaymentError,
    )
    seller.failNext(false)
    expect([failed?.code, failed?.status]).toEqual(['X402_REQUEST_FAILED', 500])
    expect(await balance(p.address)).toBe(before)
    expect([budget.spent(), budget.reserved()]).toEqual([0n, 0n])
    const row = ledger.list({ status: 'failed' }).at(-1)!
    expect(row).toMatchObject({ resource: `${seller.url}/flaky`, amount: price })
    expect(row.failure).toContain('500')
  })
})
