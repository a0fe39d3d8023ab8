import { gotongChannelProtocol, toCaip10, toErc20Caip19 } from '@gotong/core'
import { exportLedger } from '@gotong/payments'
import { createX402Payer, isX402ReceiptSignedBy, x402RequestHash } from '@gotong/x402'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 4 })
})
afterAll(async () => {
  await t?.stop()
})

/** A header of x402's HTTP transport: base64 of JSON. */
const decoded = (header: string | null) =>
  JSON.parse(Buffer.from(header ?? '', 'base64').toString('utf8'))

describe('a served tool also answers x402', () => {
  test('listed second in its manifest; 402 with the manifest’s schemas; an x402 client pays: output, receipt, the price on chain, the ledgers', async () => {
    const { gotongToken, paymentChannels } = t.devnet.deployments!.contracts
    const calls: { tool: string; ok: boolean }[] = []
    const provider = await t.agent(1, { onCall: ({ tool, ok }) => calls.push({ tool, ok }) })
    const served = await provider.serve(wordStats, { price: '0.002' })
    expect(served.x402Url).toBe(`${provider.url}/tools/word-stats/x402`)
    await provider.index.sync()
    const manifest = (await provider.index.getListing(served.toolId))!.manifest!
    expect(manifest.pricing).toEqual([
      expect.objectContaining({ protocol: gotongChannelProtocol }),
      {
        amount: '2000',
        asset: toErc20Caip19(31337, gotongToken),
        recipient: toCaip10(31337, provider.address),
        protocol: 'x402',
        endpoint: served.x402Url,
      },
    ])

    const unpaid = await fetch(served.x402Url!, { method: 'POST', body: '{"text":"a"}' })
    expect(unpaid.status).toBe(402)
    const required = decoded(unpaid.headers.get('PAYMENT-REQUIRED'))
    expect(required.accepts).toEqual([
      {
        scheme: 'exact',
        network: 'eip155:31337',
        amount: '2000',
        asset: gotongToken,
        payTo: provider.address,
        maxTimeoutSeconds: 90,
        extra: { name: 'Gotong USD', version: '1' },
      },
    ])
    expect(required.resource).toEqual({
      url: served.x402Url,
      description: wordStats.description,
      mimeType: 'application/json',
    })
    const { schema } = required.extensions.bazaar
    expect(schema.properties.input.properties.body).toEqual(manifest.inputs)
    expect(schema.properties.output.properties.example).toEqual(manifest.outputs)

    const consumer = privateKeyToAccount(t.devnet.accounts[2]!.privateKey)
    const [consumerBefore, providerBefore] = await Promise.all([
      t.balance(consumer.address),
      t.balance(provider.address),
    ])
    // x402's own fetch and exact client, under gotong's payer policy.
    const payer = createX402Payer({
      account: consumer,
      chainId: 31337,
      assets: [gotongToken],
      publicClient: t.devnet.publicClient,
      receiptDomain: { verifyingContract: paymentChannels },
    })
    const input = { text: 'paid over x402' }
    const answer = await payer.pay({
      url: served.x402Url!,
      body: JSON.stringify(input),
      contentType: 'application/json',
      maxPrice: 2_000n,
      requestHash: (authorizationNonce) =>
        x402RequestHash({ tool: wordStats.name, authorizationNonce, input }),
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ words: 3, characters: 14, longest: 'paid' })
    expect(answer.receipt).toBeDefined()
    expect(await t.balance(consumer.address)).toBe(consumerBefore - 2_000n)
    expect(await t.balance(provider.address)).toBe(providerBefore + 2_000n)

    const { x402, earned } = provider.ledger()
    expect(earned).toEqual([])
    expect(x402.paid).toEqual([])
    expect(x402.earned).toEqual([
      expect.objectContaining({
        status: 'settled',
        tool: wordStats.name,
        amount: 2_000n,
        transaction: answer.payment!.transaction,
        receipt: answer.receipt,
      }),
    ])
    expect(
      isX402ReceiptSignedBy(x402.earned[0]!.receipt!, {
        payee: provider.address,
        chainId: 31337,
        verifyingContract: paymentChannels,
      }),
    ).toBe(true)
    const [row] = JSON.parse(exportLedger(earned, { format: 'json', x402: x402.earned }))
    expect(row).toMatchObject({
      scheme: 'x402',
      amount: '2000',
      status: 'settled',
      transaction: answer.payment!.transaction,
      authorizationNonce: x402.earned[0]!.authorizationNonce,
      receiptSignature: answer.receipt!.signature,
    })
    expect(calls).toEqual([{ tool: wordStats.name, ok: true }])
  })

  test('x402: false lists and serves no x402 face', async () => {
    const provider = await t.agent(1)
    const tool = defineTool({ ...wordStats, name: 'channels-only' })
    const served = await provider.serve(tool, { price: 2_000n, x402: false })
    expect(served.x402Url).toBeUndefined()
    await provider.index.sync()
    const manifest = (await provider.index.getListing(served.toolId))!.manifest!
    expect(manifest.pricing?.map((p) => p.protocol)).toEqual([gotongChannelProtocol])
    const response = await fetch(`${provider.url}/tools/channels-only/x402`, { method: 'POST' })
    // Read as a signed call to an unknown route, not as x402.
    expect(response.status).toBe(400)
    expect(response.headers.get('PAYMENT-REQUIRED')).toBeNull()
  })

  test('a new version’s schemas are what the x402 face declares and checks', async () => {
    const provider = await t.agent(1)
    const tool = defineTool({
      name: 'echo-x402',
      description: 'Echoes a text.',
      input: z.object({ text: z.string() }),
      output: z.object({ text: z.string() }),
      handler: ({ text }) => ({ text }),
    })
    const served = await provider.serve(tool, { price: 1_000n })
    await served.update({
      input: z.object({ text: z.string(), times: z.number().int().min(1) }),
    })
    const required = decoded((await fetch(served.x402Url!)).headers.get('PAYMENT-REQUIRED'))
    expect(required.extensions.bazaar.schema.properties.input.properties.body).toMatchObject({
      required: ['text', 'times'],
    })
    expect(required.extensions.bazaar.info.input.body).toEqual({ text: '', times: 1 })
  })

  test('a token-gated tool’s x402 face refuses a payer without the token: nothing run, nothing charged', async () => {
    const { gotongToken, accessPass } = t.devnet.deployments!.contracts
    const provider = await t.agent(1)
    let runs = 0
    const tool = defineTool({
      ...wordStats,
      name: 'gated-x402',
      handler: (input) => {
        runs++
        return wordStats.handler(input, undefined as never)
      },
    })
    const served = await provider.serve(tool, {
      price: 2_000n,
      gate: { erc1155: accessPass, id: 7n },
    })
    const consumer = privateKeyToAccount(t.devnet.accounts[3]!.privateKey)
    const before = await Promise.all([t.balance(consumer.address), t.balance(provider.address)])
    const payer = createX402Payer({
      account: consumer,
      chainId: 31337,
      assets: [gotongToken],
      publicClient: t.devnet.publicClient,
    })
    const refused = await payer
      .pay({
        url: served.x402Url!,
        body: JSON.stringify({ text: 'no pass' }),
        contentType: 'application/json',
        maxPrice: 2_000n,
      })
      .then(
        (answer) => answer.status,
        (error: { data?: { status?: number }; status?: number; body?: unknown }) => error,
      )
    expect(JSON.stringify(refused)).toContain('GATE_DENIED')
    expect(runs).toBe(0)
    expect(await Promise.all([t.balance(consumer.address), t.balance(provider.address)])).toEqual(
      before,
    )
    expect(provider.ledger().x402.earned).toEqual([])
  })
})
