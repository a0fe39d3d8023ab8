import { contentHash, SignedX402Receipt } from '@gotong/core'
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@x402/core/http'
import { validateDiscoveryExtension } from '@x402/extensions/bazaar'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  bazaarKey,
  createRemoteFacilitator,
  gotongReceiptExtension,
  isX402ReceiptSignedBy,
  x402RequestHash,
} from '../src/index.js'
import {
  countedTool,
  type ProviderSetup,
  post,
  providerSetup,
  schemasOf,
} from './providerFixture.js'

let t: ProviderSetup
beforeAll(async () => {
  t = await providerSetup()
}, 60_000)
afterAll(() => t?.stop())

describe('a tool’s x402 face', () => {
  test('an unpaid request gets 402 with x402 v2 requirements: exact on gUSD at the price, the resource and the bazaar schemas', async () => {
    const counted = countedTool('word-count')
    const { url } = t.serve(counted.tool)
    const response = await fetch(url, post({ text: 'two words' }))
    expect(response.status).toBe(402)
    expect(await response.json()).toEqual({})
    const header = response.headers.get('PAYMENT-REQUIRED')!
    // The header is base64 of the JSON, as x402's HTTP transport says.
    expect(JSON.parse(Buffer.from(header, 'base64').toString('utf8'))).toEqual(
      decodePaymentRequiredHeader(header),
    )
    const required = decodePaymentRequiredHeader(header)
    expect(required).toMatchObject({
      x402Version: 2,
      error: 'Payment required',
      resource: {
        url,
        description: counted.tool.description,
        mimeType: 'application/json',
      },
      accepts: [
        {
          scheme: 'exact',
          network: 'eip155:31337',
          amount: '2000',
          asset: t.contracts.gotongToken,
          payTo: t.provider,
          maxTimeoutSeconds: 90,
          extra: { name: 'Gotong USD', version: '1' },
        },
      ],
    })
    expect(required.accepts).toHaveLength(1)
    const bazaar = required.extensions?.[bazaarKey] as {
      info: { input: Record<string, unknown> }
      schema: { properties: Record<string, { properties: Record<string, unknown> }> }
    }
    const schemas = schemasOf(counted.tool)
    expect(bazaar.schema.properties.input!.properties.body).toEqual(schemas.input)
    expect(bazaar.schema.properties.output!.properties.example).toEqual(schemas.output)
    expect(bazaar.info.input).toEqual({
      type: 'http',
      method: 'POST',
      bodyType: 'json',
      body: { text: '' },
    })
    // x402's own validator (what a bazaar facilitator runs before cataloging) accepts it.
    expect(validateDiscoveryExtension(bazaar as never)).toEqual({ valid: true })
    // A GET, as a crawler sends, is answered the same way.
    const probe = await fetch(url)
    expect(probe.status).toBe(402)
    expect(decodePaymentRequiredHeader(probe.headers.get('PAYMENT-REQUIRED')!).accepts).toEqual(
      required.accepts,
    )
    expect(counted.runs()).toBe(0)
  })

  test('x402’s fetch with x402’s exact client pays a call: output, a receipt the provider signed, the price moved on chain, one settled row', async () => {
    const counted = countedTool('word-count-paid')
    const { url, ledger, events } = t.serve(counted.tool)
    const payer = t.payer(2)
    const [payerBefore, providerBefore] = await Promise.all([
      t.balance(payer.account.address),
      t.balance(t.provider),
    ])
    const input = { text: 'three small words' }
    const response = await payer.fetch(url, post(input))
    expect(response.status).toBe(200)
    const output = await response.json()
    expect(output).toEqual({ words: 3 })
    expect(counted.runs()).toBe(1)

    const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({
      success: true,
      network: 'eip155:31337',
      payer: payer.account.address,
    })
    const transaction = settlement.transaction as `0x${string}`
    const signed = SignedX402Receipt.parse(settlement.extensions?.[gotongReceiptExtension])
    const [row] = ledger.list()
    expect(signed.receipt).toEqual({
      payer: payer.account.address,
      authorizationNonce: row!.authorizationNonce,
      amount: 2_000n,
      requestHash: x402RequestHash({
        tool: counted.tool.name,
        authorizationNonce: row!.authorizationNonce,
        input,
      }),
      responseHash: contentHash(output),
      transaction,
      servedAt: expect.any(BigInt),
    })
    expect(
      isX402ReceiptSignedBy(signed, {
        payee: t.provider,
        chainId: 31337,
        verifyingContract: t.contracts.paymentChannels,
      }),
    ).toBe(true)
    // Signed by the provider, not by anyone: the payer's address does not verify it.
    expect(
      isX402ReceiptSignedBy(signed, {
        payee: payer.account.address,
        chainId: 31337,
        verifyingContract: t.contracts.paymentChannels,
      }),
    ).toBe(false)

    const mined = await t.publicClient.getTransactionReceipt({ hash: transaction })
    expect(mined.status).toBe('success')
    expect(mined.from.toLowerCase()).toBe(t.provider.toLowerCase()) // the provider paid the gas
    expect(await t.balance(payer.account.address)).toBe(payerBefore - 2_000n)
    expect(await t.balance(t.provider)).toBe(providerBefore + 2_000n)
    expect(await t.authorizationUsed(payer.account.address, row!.authorizationNonce)).toBe(true)

    expect(ledger.list()).toEqual([
      expect.objectContaining({
        direction: 'earned',
        status: 'settled',
        payer: payer.account.address.toLowerCase(),
        payee: t.provider.toLowerCase(),
        amount: 2_000n,
        tool: counted.tool.name,
        resource: url,
        transaction,
        receipt: signed,
      }),
    ])
    expect(events).toEqual([
      {
        caller: payer.account.address,
        ok: true,
        authorizationNonce: row!.authorizationNonce,
        transaction,
      },
    ])
  })

  test('with an x402 facilitator by URL, the facilitator settles (and pays the gas); the provider is paid the same', async () => {
    const facilitator = createRemoteFacilitator(await t.facilitatorService(0))
    const counted = countedTool('word-count-remote')
    const { url, ledger } = t.serve(counted.tool, { facilitator })
    const payer = t.payer(2)
    const [payerBefore, providerBefore] = await Promise.all([
      t.balance(payer.account.address),
      t.balance(t.provider),
    ])
    const response = await payer.fetch(url, post({ text: 'one' }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ words: 1 })
    const { transaction } = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    const mined = await t.publicClient.getTransactionReceipt({
      hash: transaction as `0x${string}`,
    })
    expect(mined.from.toLowerCase()).toBe(t.devnet.accounts[0]!.address.toLowerCase())
    expect(await t.balance(payer.account.address)).toBe(payerBefore - 2_000n)
    expect(await t.balance(t.provider)).toBe(providerBefore + 2_000n)
    expect(ledger.list()).toEqual([expect.objectContaining({ status: 'settled', transaction })])
  })
})
