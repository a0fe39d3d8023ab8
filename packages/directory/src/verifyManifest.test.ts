import { canonicalBytes } from '@gotong/core'
import { keccak256, stringToBytes } from 'viem'
import { describe, expect, test } from 'vitest'
import { verifyManifest } from './verifyManifest.js'

const creator = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const
const manifest = {
  type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
  name: 'echo',
  description: 'Echoes its input.',
  endpoint: 'https://tools.example.com/echo',
  inputs: {},
  outputs: {},
  creatorAddress: creator.toLowerCase(),
}
const bytes = canonicalBytes(manifest)
const manifestHash = keccak256(bytes)

describe('verifyManifest', () => {
  test('canonical bytes with the right hash and creator are verified', () => {
    expect(verifyManifest(bytes, { manifestHash, creator })).toEqual({
      status: 'verified',
      manifest,
    })
  })

  test.each([
    ['oversized', new Uint8Array(65_537).fill(0x20), manifestHash],
    ['not_json', stringToBytes('{"name":'), manifestHash],
    ['not_json', new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]), manifestHash],
    ['schema', canonicalBytes({ ...manifest, endpoint: 'http://tools.example.com' }), manifestHash],
    ['hash_mismatch', bytes, keccak256(stringToBytes('other'))],
    [
      'hash_mismatch',
      stringToBytes(JSON.stringify(manifest, null, 1)),
      keccak256(stringToBytes(JSON.stringify(manifest, null, 1))),
    ],
  ] as const)('%s', (reason, input, hash) => {
    expect(verifyManifest(input, { manifestHash: hash, creator })).toMatchObject({
      status: 'unverified',
      reason,
    })
  })

  test('creator_mismatch keeps the claimed manifest and says who registered it', () => {
    const result = verifyManifest(bytes, {
      manifestHash,
      creator: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    })
    expect(result).toMatchObject({
      status: 'unverified',
      reason: 'creator_mismatch',
      manifest,
      message: `names creator ${creator.toLowerCase()}, but 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc registered it`,
    })
  })

  test('a loopback http endpoint verifies on a devnet chain only', () => {
    const local = { ...manifest, endpoint: 'http://127.0.0.1:8080/echo' }
    const localBytes = canonicalBytes(local)
    const params = { manifestHash: keccak256(localBytes), creator }
    expect(verifyManifest(localBytes, { ...params, chainId: 31337 }).status).toBe('verified')
    expect(verifyManifest(localBytes, { ...params, chainId: 8453 })).toMatchObject({
      reason: 'schema',
      issues: [expect.objectContaining({ rule: 'not_https', path: 'endpoint' })],
    })
  })
})
