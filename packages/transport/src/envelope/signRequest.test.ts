import { contentHash, InvalidInputError } from '@gotong/core'
import { bytesToHex, type Hex, hashTypedData, keccak256, stringToBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { signRequest } from './signRequest.js'
import { envelopeDomain, envelopeTypes, SignedRequest, type Signer } from './types.js'

const account = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const to = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as const

describe('signRequest', () => {
  test('a viem LocalAccount is a Signer', () => {
    const signer: Signer = account
    expect(signer.address).toBe(account.address)
  })

  test('signs the envelope and sends the body in its JSON form', async () => {
    const request = await signRequest(account, {
      chainId: 31337,
      to,
      route: 'tools/echo',
      body: { amount: 10n ** 30n, text: 'hi', skip: undefined },
      expiresAt: 1_750_000_030_000,
      nonce: `0x${'ab'.repeat(32)}`,
      idempotencyKey: 'order-1',
    })
    expect(request.body).toEqual({ amount: '1000000000000000000000000000000', text: 'hi' })
    expect(request.envelope.bodyHash).toBe(contentHash(request.body))
    expect(request.envelope.bodyHash).toBe(
      keccak256(stringToBytes('{"amount":"1000000000000000000000000000000","text":"hi"}')),
    )
    expect(SignedRequest.parse(JSON.parse(JSON.stringify(request)))).toEqual(request)
    expect(JSON.stringify(request)).toMatchInlineSnapshot(
      `"{"envelope":{"from":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","to":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC","route":"tools/echo","chainId":31337,"nonce":"0xabababababababababababababababababababababababababababababababab","expiresAt":1750000030000,"bodyHash":"0x94091110c6f22bb39d511ec66b64b5df256c673aea4b0baebb86a4b2ea41f4a7","idempotencyKey":"order-1"},"signature":"0x20236474d2f587b4eae0caf47f51e2cc3010b790601328efb72774a49ad90b472457344dc1ea6ab8da903599bab8a4dec5eafacab5ea40f89b8ff4638d869eb41b","body":{"amount":"1000000000000000000000000000000","text":"hi"}}"`,
    )
  })

  test('a signer with signDigest signs the transport’s own digest: the same signature', async () => {
    const digests: Hex[] = []
    const digestSigner: Signer = {
      address: account.address,
      signDigest: (digest) => {
        digests.push(bytesToHex(digest))
        return account.sign({ hash: bytesToHex(digest) })
      },
    }
    const parameters = {
      chainId: 31337,
      to,
      route: 'tools/echo',
      body: { text: 'hi' },
      expiresAt: 1_750_000_030_000,
      nonce: `0x${'cd'.repeat(32)}`,
      idempotencyKey: 'order-2',
    } as const
    const viaDigest = await signRequest(digestSigner, parameters)
    const viaTypedData = await signRequest(account, parameters)
    expect(viaDigest).toEqual(viaTypedData)
    expect(digests).toEqual([
      hashTypedData({
        domain: envelopeDomain(31337),
        types: envelopeTypes,
        primaryType: 'Envelope',
        message: {
          ...viaDigest.envelope,
          expiresAt: BigInt(viaDigest.envelope.expiresAt),
          idempotencyKey: 'order-2',
        },
      }),
    ])
    // With both, the digest path is taken: no typed data is hashed for it.
    let typed = 0
    const both: Signer = {
      ...digestSigner,
      signTypedData: (typedData) => {
        typed++
        return account.signTypedData(typedData)
      },
    }
    expect(await signRequest(both, parameters)).toEqual(viaTypedData)
    expect(typed).toBe(0)
    const neither = { address: account.address } as unknown as Signer
    await expect(signRequest(neither, parameters)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      issues: [{ rule: 'not_a_signer' }],
    })
  })

  test('draws a fresh random nonce per request and sends null for no body', async () => {
    const parameters = { chainId: 1, to, route: 'ping', body: undefined, expiresAt: 1 }
    const [a, b] = await Promise.all([
      signRequest(account, parameters),
      signRequest(account, parameters),
    ])
    expect(a.envelope.nonce).not.toBe(b.envelope.nonce)
    // Across several refills of the random pool, no nonce repeats.
    const many = await Promise.all(
      Array.from({ length: 600 }, () => signRequest(account, parameters)),
    )
    const nonces = new Set(many.map((request) => request.envelope.nonce))
    expect(nonces.size).toBe(600)
    for (const nonce of nonces) expect(nonce).toMatch(/^0x[0-9a-f]{64}$/)
    expect(a.body).toBeNull()
    expect(a.envelope).not.toHaveProperty('idempotencyKey')
  })

  test('refuses bad routes, keys and bodies before signing', async () => {
    const base = { chainId: 1, to, route: 'ok', body: {}, expiresAt: 1 }
    const circular: Record<string, unknown> = {}
    circular.self = circular
    for (const bad of [
      { route: '../admin' },
      { route: 'a//b' },
      { route: '' },
      { idempotencyKey: 'has space' },
      { body: circular },
    ]) {
      const error = await signRequest(account, { ...base, ...bad }).catch((e) => e)
      expect(error).toBeInstanceOf(InvalidInputError)
    }
  })
})
