import { request as httpRequest } from 'node:http'
import { signRequest } from '@gotong/transport'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { countingTool, payment, relationshipOf, type Setup, setup, signVoucher } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const price = 1_000n

type Answer = { status: number; body: string }

/** One HTTP request with the path sent byte for byte (no URL normalization on the way). */
function raw(
  base: string,
  options: { method: string; path: string; body?: string | Buffer; contentType?: string },
): Promise<Answer> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        agent: false,
        method: options.method,
        path: options.path,
        headers: {
          'content-type': options.contentType ?? 'application/json',
          ...(options.body !== undefined
            ? { 'content-length': Buffer.byteLength(options.body) }
            : {}),
        },
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      },
    )
    // The server may answer and close before reading an oversized body.
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET'
        ? resolve({ status: -1, body: error.code })
        : reject(error),
    )
    if (options.body !== undefined) request.write(options.body)
    request.end()
  })
}

describe('the paid route cannot be reached around its paywall', () => {
  test('path and method variants, oversized, malformed and mistyped bodies: all refused; the handler never runs unpaid; a paid request replayed is refused', async () => {
    const provider = await t.agent(1)
    const counted = countingTool('paywall')
    const served = await provider.serve(counted.tool, { price })
    const consumer = await t.agent(2)
    await consumer.call(served.toolId, { text: 'honest' })
    const { channelId, termsHash } = relationshipOf(consumer)
    expect(counted.runs()).toBe(1)
    const base = provider.url!
    const route = 'tools/paywall/call'
    const account = privateKeyToAccount(t.key(2))
    /** A correctly signed request for the call route: valid envelope, the given payment. */
    const signed = async (body: unknown) =>
      JSON.stringify(
        await signRequest(account, {
          chainId: t.devnet.chainId,
          to: provider.address,
          route,
          body,
          expiresAt: Date.now() + 30_000,
        }),
      )
    const unpaid = { termsHash, input: { text: 'free lunch' }, payment: {} }

    const paths = [
      `/${route}`,
      `/${route}/`,
      `//${route}`,
      '/tools//paywall/call',
      '/TOOLS/paywall/CALL',
      '/tools/paywall/%63all',
      '/tools/%2e/paywall/call',
      '/tools/paywall/./call',
      '/tools/x/../paywall/call',
      '/tools/paywall/call%2f',
      '/tools/paywall/call?free=1',
      '/tools/paywall/call#x',
      '/tools/paywall/negotiate/../call',
    ]
    const answers: Record<string, number[]> = {}
    for (const path of paths) {
      const statuses: number[] = []
      for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'])
        statuses.push((await raw(base, { method, path })).status)
      // POST without a signature, and POST signed properly but carrying no payment.
      statuses.push(
        (await raw(base, { method: 'POST', path, body: JSON.stringify(unpaid) })).status,
      )
      statuses.push((await raw(base, { method: 'POST', path, body: await signed(unpaid) })).status)
      answers[path] = statuses
    }
    // Nothing but an error status anywhere; the one route that exists takes no envelope
    // signature: a voucher signing the envelope authenticates it.
    for (const [path, statuses] of Object.entries(answers)) {
      expect(
        statuses.every((s) => s >= 400),
        `${path}: ${statuses}`,
      ).toBe(true)
    }
    expect(answers[`/${route}`]!.at(-1)).toBe(401) // invalid_signature

    const bodies: [string, { body: string | Buffer; contentType?: string }][] = [
      ['oversized', { body: Buffer.alloc(2 * 1024 * 1024, 0x20) }],
      ['not json', { body: '{"envelope": ' }],
      ['empty', { body: '' }],
      [
        'form encoded',
        { body: 'termsHash=0x00&input=x', contentType: 'application/x-www-form-urlencoded' },
      ],
      ['json as text/plain, unpaid', { body: await signed(unpaid), contentType: 'text/plain' }],
      ['json array', { body: '[]' }],
      ['deep nesting', { body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }],
    ]
    const refused: Record<string, number> = {}
    for (const [kind, options] of bodies)
      refused[kind] = (await raw(base, { method: 'POST', path: `/${route}`, ...options })).status
    expect(refused).toEqual({
      // Refused, and the refusal reaches the client before the socket closes.
      oversized: 413,
      'not json': 400,
      empty: 400,
      'form encoded': 400,
      'json as text/plain, unpaid': 401,
      'json array': 400,
      'deep nesting': 400,
    })
    expect(counted.runs()).toBe(1)

    // A paid request goes through once; the same bytes again (or on another path) do not.
    const domain = { chainId: t.devnet.chainId, channels: t.contracts.paymentChannels }
    const voucher = { channelId, termsHash, calls: 2n, cumulativeAmount: 2n * price }
    // As a paid call travels: the envelope unsigned, the voucher signing its struct hash.
    const paid = JSON.stringify(
      await signRequest(account, {
        chainId: t.devnet.chainId,
        to: provider.address,
        route,
        body: { termsHash, input: { text: 'paid' } },
        expiresAt: Date.now() + 30_000,
        authenticate: {
          field: 'payment',
          attach: async (envelopeHash: Hex) => {
            const fields = { ...voucher, envelopeHash }
            return payment(domain, fields, await signVoucher(t.key(2), domain, fields))
          },
        },
      }),
    )
    expect((await raw(base, { method: 'POST', path: `/${route}`, body: paid })).status).toBe(200)
    expect(counted.runs()).toBe(2)
    expect((await raw(base, { method: 'POST', path: `/${route}`, body: paid })).status).toBe(409)
    expect((await raw(base, { method: 'POST', path: `/${route}/`, body: paid })).status).toBe(401)
    expect(counted.runs()).toBe(2)
    expect(provider.ledger().earned.filter((v) => v.status === 'committed')).toHaveLength(2)
  })
})
