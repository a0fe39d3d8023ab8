import type { Message, Task } from '@a2a-js/sdk'
import { type Client, ClientFactory } from '@a2a-js/sdk/client'
import { bigintReplacer, contentHash, toCaip10, toErc20Caip19 } from '@gotong/core'
import {
  gotongMetadata,
  gotongPaymentsUri,
  readGotongPayments,
  readToolTask,
  toolCallMessage,
} from '@gotong/identity'
import { createReceiptDigester, VoucherPayment, verifyReceipt } from '@gotong/payments'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import {
  type Agent,
  AgentError,
  callRequestHash,
  defineTool,
  type ServedTool,
} from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

const shout = defineTool({
  name: 'shout',
  description: 'Says a text in capitals.',
  tags: ['shouting'],
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text: text.toUpperCase() }),
})

let t: Setup
let provider: Agent
let consumer: Agent
let served: ServedTool
let other: ServedTool
let client: Client
let runs = 0
const price = 2_000n

beforeAll(async () => {
  t = await setup()
  provider = await t.agent(1, { name: 'provider' })
  consumer = await t.agent(2, { name: 'consumer', callsPerChannel: 10n })
  // word-stats, counting its runs: a refused call must not run it.
  const counted = defineTool({
    ...wordStats,
    handler: (input, context) => {
      runs++
      return wordStats.handler(input, context)
    },
  })
  served = await provider.serve(counted, { price })
  other = await provider.serve(shout, { price: 1_000n })
  client = await new ClientFactory().createFromUrl(provider.url!)
})
afterAll(async () => {
  await t?.stop()
})

const send = (call: Parameters<typeof toolCallMessage>[0], taskId?: string) =>
  client.sendMessage(toolCallMessage(call, taskId ? { taskId } : {}))

describe('a provider agent over A2A, with @a2a-js/sdk as the client', () => {
  test('its agent card: one skill per published tool, the deployment in the gotong extension', async () => {
    const card = await client.getAgentCard()
    const { contracts } = t.devnet.deployments!
    expect(card.supportedInterfaces).toEqual([
      {
        url: `${provider.url}/a2a`,
        protocolBinding: 'JSONRPC',
        protocolVersion: '1.0',
        tenant: '',
      },
    ])
    expect(card.skills.map((s) => [s.id, s.name, s.tags, s.inputModes, s.outputModes])).toEqual([
      [
        served.toolId.toString(),
        'word-stats',
        ['text', 'statistics'],
        ['application/json'],
        ['application/json'],
      ],
      [other.toolId.toString(), 'shout', ['shouting'], ['application/json'], ['application/json']],
    ])
    expect(card.capabilities?.extensions.map((e) => e.uri)).toEqual([gotongPaymentsUri])
    const terms = readGotongPayments(card)
    expect(terms).toMatchObject({
      registry: toCaip10(31337, contracts.toolDirectory),
      paymentChannels: toCaip10(31337, contracts.paymentChannels),
      token: toErc20Caip19(31337, contracts.gotongToken),
      payee: toCaip10(31337, provider.address),
    })
    expect(terms.tools[0]).toEqual({
      toolId: served.toolId.toString(),
      ref: served.ref,
      name: 'word-stats',
      price,
      negotiate: `${provider.url}/tools/word-stats/negotiate`,
      fund: `${provider.url}/tools/word-stats/fund`,
      x402: served.x402Url,
      gated: false,
    })
  })

  test('a call without payment is input-required, with the terms', async () => {
    const before = runs
    const answer = readToolTask(
      await send({ toolId: served.toolId.toString(), input: { text: 'many hands' } }),
    )
    expect(answer.state).toBe('input-required')
    if (answer.state !== 'input-required') return
    expect(answer.terms).toMatchObject({
      toolId: served.toolId.toString(),
      price,
      fund: `${provider.url}/tools/word-stats/fund`,
      x402: served.x402Url,
      paymentChannels: toCaip10(31337, t.devnet.deployments!.contracts.paymentChannels),
    })
    expect(runs).toBe(before)
  })

  test('paid with a voucher of a channel a gotong consumer funded: completed, receipt verified, claimed on chain', async () => {
    const relationship = await consumer.negotiate('statistics')
    const { termsHash, agreement } = relationship.agreement
    expect(agreement.pricePerCall).toBe(price)
    const providerStart = await t.balance(provider.address)
    const digest = createReceiptDigester({
      chainId: 31337,
      verifyingContract: t.devnet.deployments!.contracts.paymentChannels,
    })
    // The first call continues the task that asked for payment; the next two are new tasks.
    const asked = readToolTask(
      await send({ toolId: served.toolId.toString(), input: { text: 'a b' } }),
    )
    const calls = ['a b', 'many hands make light work', 'gotong royong']
    for (const [i, text] of calls.entries()) {
      const input = { text }
      const requestHash = callRequestHash('word-stats', termsHash, input)
      const issued = await consumer.payer.createVoucher({
        channelId: relationship.channelId,
        termsHash,
        amount: price,
        requestHash,
      })
      const result = await send(
        { toolId: served.toolId.toString(), input, termsHash, payment: issued.payment },
        i === 0 ? asked.taskId : undefined,
      )
      const answer = readToolTask(result)
      expect(answer.state).toBe('completed')
      if (answer.state !== 'completed') return
      if (i === 0) expect(answer.taskId).toBe(asked.taskId)
      expect(answer.output).toEqual(wordStats.handler(input, {} as never))
      const receipt = verifyReceipt({
        receipt: answer.receipt,
        payee: provider.address,
        voucher: issued.payment.voucher,
        requestHash,
        digest,
      })
      expect(receipt.receipt.responseHash).toBe(contentHash(answer.output))
      expect((result as Task).status?.message?.metadata?.[gotongMetadata.status]).toBe(
        'payment-completed',
      )
      consumer.payer.confirm(issued, answer.receipt, requestHash)
    }
    const claim = await provider.settler.claim(relationship.channelId)
    expect(claim?.amount).toBe(price * 3n)
    expect(await t.balance(provider.address)).toBe(providerStart + price * 3n)
  })

  test('a replayed voucher, one for another channel and a forged one are refused with their codes, and nothing runs', async () => {
    const relationship = await consumer.negotiate('statistics')
    const { termsHash } = relationship.agreement
    const [served1] = consumer.payer.vouchers(relationship.channelId, 'served')
    const replayed = VoucherPayment.parse({
      scheme: 'gotong-channel',
      chainId: 31337,
      channels: t.devnet.deployments!.contracts.paymentChannels,
      voucher: {
        channelId: served1!.channelId,
        cumulativeAmount: served1!.cumulativeAmount,
        calls: served1!.calls,
        termsHash: served1!.termsHash,
        envelopeHash: served1!.envelopeHash,
      },
      signature: served1!.signature,
    })
    const shoutTerms = await consumer.negotiate('shouting')
    expect(shoutTerms.toolId).toBe(other.toolId)
    const elsewhere = await consumer.payer.createVoucher({
      channelId: shoutTerms.channelId,
      termsHash: shoutTerms.agreement.termsHash,
      amount: 1_000n,
    })
    const forger = privateKeyToAccount(t.devnet.accounts[3]!.privateKey)
    const voucher = { ...replayed.voucher, calls: 4n, cumulativeAmount: price * 4n }
    const forged = {
      ...replayed,
      voucher,
      signature: await forger.signTypedData({
        domain: {
          name: 'gotong',
          version: '1',
          chainId: 31337,
          verifyingContract: t.devnet.deployments!.contracts.paymentChannels,
        },
        types: {
          Voucher: [
            { name: 'channelId', type: 'bytes32' },
            { name: 'cumulativeAmount', type: 'uint256' },
            { name: 'calls', type: 'uint64' },
            { name: 'termsHash', type: 'bytes32' },
            { name: 'envelopeHash', type: 'bytes32' },
          ],
        },
        primaryType: 'Voucher',
        message: voucher,
      }),
    }
    const before = runs
    const refusals = []
    for (const payment of [replayed, elsewhere.payment, forged]) {
      const answer = readToolTask(
        await send({
          toolId: served.toolId.toString(),
          input: { text: 'free?' },
          termsHash,
          payment,
        }),
      )
      expect(answer.state).toBe('failed')
      if (answer.state === 'failed') refusals.push([answer.error.reason, answer.error.data?.code])
    }
    expect(refusals).toEqual([
      ['replayed', 'VOUCHER_REPLAYED'],
      ['terms_mismatch', 'VOUCHER_TERMS_MISMATCH'],
      ['invalid_signature', 'VOUCHER_BAD_SIGNATURE'],
    ])
    // The same voucher with its own call's input is a retry: the first answer, not a new run.
    const retried = readToolTask(
      await send({
        toolId: served.toolId.toString(),
        input: { text: 'a b' },
        termsHash,
        payment: replayed,
      }),
    )
    expect(retried).toMatchObject({ state: 'completed', output: { words: 2, longest: 'a' } })
    if (retried.state === 'completed')
      expect(retried.receipt).toEqual(JSON.parse(JSON.stringify(served1!.receipt, bigintReplacer)))
    expect(runs).toBe(before)
    consumer.payer.fail(elsewhere)
  })
})

describe("a gotong consumer's own A2A client", () => {
  test('agent.a2aCall pays through the channel it has and the provider is paid', async () => {
    const servedCalls = () => consumer.ledger().paid.filter((v) => v.status === 'served')
    const before = servedCalls().length
    const result = await consumer.a2aCall(provider.url!, served.toolId, { text: 'over a2a' })
    expect(result.output).toEqual({ words: 2, characters: 8, longest: 'over' })
    expect(result.receipt.receipt.responseHash).toBe(contentHash(result.output))
    expect(result.railReason).toBe(`paid over A2A at ${provider.url}/a2a, through a channel`)
    expect(servedCalls()).toHaveLength(before + 1)
    const refused = await consumer
      .a2aCall(provider.url!, served.toolId, { text: 42 })
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AgentError)
    expect((refused as AgentError).code).toBe('INPUT_INVALID')
    await expect(consumer.a2aCall(provider.url!, 999n, { text: 'x' })).rejects.toMatchObject({
      code: 'TOOL_NOT_FOUND',
    })
  })
})

test('on the wire: SendMessage answers a JSON-RPC task in TASK_STATE_INPUT_REQUIRED', async () => {
  const response = await fetch(`${provider.url}/a2a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'SendMessage',
      params: {
        message: {
          messageId: 'm-1',
          role: 'ROLE_USER',
          parts: [
            {
              data: { toolId: served.toolId.toString(), input: { text: 'x' } },
              mediaType: 'application/json',
            },
          ],
        },
      },
    }),
  })
  const body = (await response.json()) as {
    id: number
    result: {
      task: { status: { state: string; message: Message & { metadata: Record<string, unknown> } } }
    }
  }
  expect(body.id).toBe(7)
  expect(body.result.task.status.state).toBe('TASK_STATE_INPUT_REQUIRED')
  expect(body.result.task.status.message.metadata[gotongMetadata.status]).toBe('payment-required')
  expect(body.result.task.status.message.metadata[gotongMetadata.required]).toMatchObject({
    price: price.toString(),
  })
})
