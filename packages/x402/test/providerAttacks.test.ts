import { createClients, gotongTokenName, gotongTokenSymbol } from '@gotong/chain'
import { gotongTokenAbi, gotongTokenBytecode } from '@gotong/contracts'
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@x402/core/http'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  authorize,
  countedTool,
  type ProviderSetup,
  post,
  providerSetup,
  requirementsOf,
} from './providerFixture.js'

let t: ProviderSetup
/** A second EIP-3009 token with gUSD's very name and version, held by the payers too. */
let otherToken: Address
beforeAll(async () => {
  t = await providerSetup()
  const { walletClient } = createClients({
    rpcUrl: t.devnet.rpcUrl,
    chainId: 31337,
    privateKey: t.devnet.accounts[0]!.privateKey,
  })
  const hash = await walletClient!.deployContract({
    abi: gotongTokenAbi,
    bytecode: gotongTokenBytecode,
    args: [gotongTokenName, gotongTokenSymbol, walletClient!.account.address],
  })
  otherToken = (await t.publicClient.waitForTransactionReceipt({ hash })).contractAddress!
  await t.publicClient.waitForTransactionReceipt({
    hash: await walletClient!.writeContract({
      address: otherToken,
      abi: gotongTokenAbi,
      functionName: 'mint',
      args: [t.devnet.accounts[3]!.address, 1_000_000n],
    }),
  })
}, 60_000)
afterAll(() => t?.stop())

/** Balances of the payer and the provider, to check nothing moved. */
const balances = (payer: Address) =>
  Promise.all([t.balance(payer), t.balance(t.provider)]).then(([p, q]) => ({ p, q }))

describe('attacks on an x402 face: refused before the tool runs, nothing settled', () => {
  test.each([
    [
      'an authorization for another amount',
      { value: 1_000n },
      'invalid_exact_evm_payload_authorization_value_mismatch',
    ],
    [
      'an authorization for another recipient',
      { to: '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc' as Address },
      'invalid_exact_evm_recipient_mismatch',
    ],
    [
      'an expired authorization',
      { validBefore: BigInt(Math.floor(Date.now() / 1_000) - 1) },
      'invalid_exact_evm_payload_authorization_valid_before',
    ],
    [
      'an authorization not yet valid',
      { validAfter: BigInt(Math.floor(Date.now() / 1_000) + 3_600) },
      'invalid_exact_evm_payload_authorization_valid_after',
    ],
  ])('%s', async (_, overrides, reason) => {
    const counted = countedTool(`tool-${reason.slice(-12)}`)
    const { url, ledger } = t.serve(counted.tool)
    const payer = t.payer(3).account
    const before = await balances(payer.address)
    const { header, nonce } = await authorize(payer, await requirementsOf(url), overrides)
    const response = await fetch(url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': header }))
    expect(response.status).toBe(402)
    expect(decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      reason,
    )
    expect(counted.runs()).toBe(0)
    expect(await balances(payer.address)).toEqual(before)
    expect(await t.authorizationUsed(payer.address, nonce)).toBe(false)
    // The payer signed it, so the refusal is kept in its name: that authorization is spent here.
    expect(ledger.list()).toEqual([
      expect.objectContaining({ status: 'failed', failure: `PAYMENT_INVALID: ${reason}` }),
    ])
  })

  test('no payment at all', async () => {
    const counted = countedTool('unpaid')
    const { url, ledger } = t.serve(counted.tool)
    const response = await fetch(url, post({ text: 'a b' }))
    expect(response.status).toBe(402)
    expect(counted.runs()).toBe(0)
    expect(ledger.list()).toEqual([])
  })

  test('an authorization for another token, however it is presented', async () => {
    const counted = countedTool('other-token')
    const { url, ledger } = t.serve(counted.tool)
    const payer = t.payer(3).account
    const before = await balances(payer.address)
    const accepted = await requirementsOf(url)
    // Signed for the other token (same name and version) but presented as gUSD: the signature
    // does not hold under gUSD's domain.
    const asGusd = await authorize(payer, accepted, {}, otherToken)
    const first = await fetch(url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': asGusd.header }))
    expect(first.status).toBe(402)
    expect(decodePaymentRequiredHeader(first.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      'invalid_exact_evm_signature',
    )
    // Presented as what it is: no requirement of this tool accepts that token.
    const asItself = await authorize(payer, { ...accepted, asset: otherToken })
    const second = await fetch(url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': asItself.header }))
    expect(second.status).toBe(402)
    expect(decodePaymentRequiredHeader(second.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      'No matching payment requirements',
    )
    expect(counted.runs()).toBe(0)
    expect(await balances(payer.address)).toEqual(before)
    // The second was made by the payer, for the other token: kept as refused, with why.
    expect(ledger.list()).toEqual([
      expect.objectContaining({
        asset: otherToken.toLowerCase(),
        authorizationNonce: asItself.nonce,
        status: 'failed',
        failure: 'PAYMENT_INVALID: No matching payment requirements',
      }),
    ])
  })

  test('a replayed payment is served once and charged once', async () => {
    const counted = countedTool('replayed')
    const { url, ledger } = t.serve(counted.tool)
    const payer = t.payer(3).account
    const before = await balances(payer.address)
    const { header, nonce } = await authorize(payer, await requirementsOf(url))
    const paid = post({ text: 'a b c' }, { 'PAYMENT-SIGNATURE': header })
    const first = await fetch(url, paid)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ words: 3 })
    const again = await fetch(url, paid)
    expect(again.status).toBe(402)
    expect(await again.text()).not.toContain('words')
    expect(counted.runs()).toBe(1)
    expect(await balances(payer.address)).toEqual({ p: before.p - 2_000n, q: before.q + 2_000n })
    expect(ledger.list()).toEqual([
      expect.objectContaining({ authorizationNonce: nonce, status: 'settled' }),
    ])
  })

  test('a payment whose call failed cannot be replayed: the authorization is spent here, unsettled', async () => {
    const counted = countedTool('failing')
    const { url, ledger } = t.serve(counted.tool)
    const payer = t.payer(3).account
    const before = await balances(payer.address)
    const { header, nonce } = await authorize(payer, await requirementsOf(url))
    const failed = await fetch(url, post({ text: 'fail' }, { 'PAYMENT-SIGNATURE': header }))
    expect(failed.status).toBe(500)
    expect(await failed.json()).toMatchObject({ error: { code: 'HANDLER_FAILED' } })
    expect(failed.headers.get('PAYMENT-RESPONSE')).toBeNull()
    // The same authorization again, with an input that would work: still valid on chain, but
    // reserved here once and for all.
    const replay = await fetch(url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': header }))
    expect(replay.status).toBe(402)
    expect(await replay.json()).toMatchObject({ error: { code: 'AUTHORIZATION_USED' } })
    expect(counted.runs()).toBe(1)
    expect(await balances(payer.address)).toEqual(before)
    expect(await t.authorizationUsed(payer.address, nonce)).toBe(false)
    expect(ledger.list()).toEqual([
      expect.objectContaining({
        status: 'failed',
        failure: expect.stringMatching(/^HANDLER_FAILED: /),
      }),
    ])
  })

  test('an input the schema refuses is not run and not charged', async () => {
    const counted = countedTool('strict')
    const { url, ledger } = t.serve(counted.tool)
    const payer = t.payer(3).account
    const before = await balances(payer.address)
    const { header } = await authorize(payer, await requirementsOf(url))
    const response = await fetch(url, post({ text: 5 }, { 'PAYMENT-SIGNATURE': header }))
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      error: { code: 'INPUT_INVALID', issues: [{ rule: 'invalid_type', path: 'text' }] },
    })
    expect(counted.runs()).toBe(0)
    expect(await balances(payer.address)).toEqual(before)
    expect(ledger.list()).toEqual([
      expect.objectContaining({
        status: 'failed',
        failure: expect.stringMatching(/^INPUT_INVALID/),
      }),
    ])
  })

  test('one authorization shown to two tools of the same provider at the same price runs once', async () => {
    const first = countedTool('first-tool')
    const second = countedTool('second-tool')
    const a = t.serve(first.tool)
    // One provider, one ledger for all its tools.
    const b = t.serve(second.tool, { ledger: a.ledger })
    const payer = t.payer(3).account
    const before = await balances(payer.address)
    const accepted = await requirementsOf(a.url)
    expect(await requirementsOf(b.url)).toEqual(accepted)
    const { header, nonce } = await authorize(payer, accepted)
    const held = first.hold()
    const atFirst = fetch(a.url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': header }))
    await held.started
    // While the first call runs (verified, reserved, nothing settled yet), the second tool is
    // shown the same authorization: valid on chain still, refused by the reservation.
    const atSecond = await fetch(b.url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': header }))
    expect(atSecond.status).toBe(402)
    expect(await atSecond.json()).toMatchObject({ error: { code: 'AUTHORIZATION_USED' } })
    held.release()
    expect((await atFirst).status).toBe(200)
    // Once settled, the chain refuses it too.
    const late = await fetch(b.url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': header }))
    expect(late.status).toBe(402)
    expect([first.runs(), second.runs()]).toEqual([1, 0])
    expect(await balances(payer.address)).toEqual({ p: before.p - 2_000n, q: before.q + 2_000n })
    expect(a.ledger.list()).toEqual([
      expect.objectContaining({ authorizationNonce: nonce, tool: 'first-tool', status: 'settled' }),
    ])
  })
})

describe('settlement failing after a good verify: the output is withheld', () => {
  test('the payer spends its balance while the tool runs', async () => {
    const payer = t.payer(4)
    const { walletClient } = createClients({
      rpcUrl: t.devnet.rpcUrl,
      chainId: 31337,
      privateKey: t.devnet.accounts[4]!.privateKey,
    })
    const sink = t.devnet.accounts[5]!.address
    const counted = countedTool('drained')
    const held = counted.hold()
    const { url, ledger } = t.serve(counted.tool)
    const before = await balances(payer.account.address)
    const { header } = await authorize(payer.account, await requirementsOf(url))
    const call = fetch(url, post({ text: 'a b' }, { 'PAYMENT-SIGNATURE': header }))
    await held.started
    const moved = await t.publicClient.waitForTransactionReceipt({
      hash: await walletClient!.writeContract({
        address: t.contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'transfer',
        args: [sink, before.p],
      }),
    })
    expect(moved.status).toBe('success')
    held.release()
    const response = await call
    expect(response.status).toBe(402)
    const body = await response.text()
    expect(body).not.toContain('words')
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'SETTLEMENT_FAILED' } })
    const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({ success: false, transaction: '' })
    expect(counted.runs()).toBe(1)
    expect(await t.balance(t.provider)).toBe(before.q)
    expect(ledger.list()).toEqual([
      expect.objectContaining({
        status: 'failed',
        failure: expect.stringMatching(/^SETTLEMENT_FAILED: /),
        transaction: undefined,
      }),
    ])
  })

  test('a facilitator whose settle fails', async () => {
    const counted = countedTool('unsettled')
    const { url, ledger } = t.serve(counted.tool, {
      facilitator: {
        ...t.facilitator,
        verify: (payload, requirements) => t.facilitator.verify(payload, requirements),
        getSupported: () => t.facilitator.getSupported(),
        settle: async (payload) => ({
          success: false,
          errorReason: 'unexpected_settle_error',
          transaction: '',
          network: payload.accepted.network,
        }),
      },
    })
    const payer = t.payer(3)
    const before = await balances(payer.account.address)
    const response = await payer.fetch(url, post({ text: 'a b' }))
    expect(response.status).toBe(402)
    expect(await response.json()).toMatchObject({ error: { code: 'SETTLEMENT_FAILED' } })
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
      success: false,
      errorReason: 'unexpected_settle_error',
    })
    expect(counted.runs()).toBe(1)
    expect(await balances(payer.account.address)).toEqual(before)
    const [row] = ledger.list()
    expect(row).toMatchObject({
      status: 'failed',
      failure: expect.stringContaining('unexpected_settle_error'),
    })
    expect(await t.authorizationUsed(payer.account.address, row!.authorizationNonce as Hex)).toBe(
      false,
    )
  })
})
