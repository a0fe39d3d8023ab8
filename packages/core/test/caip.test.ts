import { describe, expect, test } from 'vitest'
import {
  caipChainOf,
  InvalidCaipError,
  parseCaip10,
  parseCaip19,
  toCaip10,
  toErc20Caip19,
} from '../src/index.js'

describe('CAIP identifiers', () => {
  test('parse ERC-8257 examples', () => {
    expect(
      parseCaip19('eip155:8453/erc20:0x833589fcd6edb6e08f4c7c32d4f71b54bda02913'),
    ).toMatchObject({
      namespace: 'eip155',
      reference: '8453',
      assetNamespace: 'erc20',
    })
    expect(parseCaip19('eip155:1/slip44:60').assetReference).toBe('60')
    expect(parseCaip10('eip155:1:0xabcdef0123456789abcdef0123456789abcdef01').address).toBe(
      '0xabcdef0123456789abcdef0123456789abcdef01',
    )
    expect(caipChainOf('eip155:8453/erc20:0x833589fcd6edb6e08f4c7c32d4f71b54bda02913')).toBe(
      'eip155:8453',
    )
    expect(caipChainOf('eip155:8453:0xabcdef0123456789abcdef0123456789abcdef01')).toBe(
      'eip155:8453',
    )
  })

  test('writers emit lowercase, non-checksummed hex', () => {
    expect(toCaip10(31337, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')).toBe(
      'eip155:31337:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
    )
    expect(toErc20Caip19(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3')).toBe(
      'eip155:31337/erc20:0x5fbdb2315678afecb367f032d93f642f64180aa3',
    )
  })

  test.each([
    () => parseCaip10('eip155:1:0xABCDEF0123456789abcdef0123456789abcdef01'),
    () => parseCaip10('eip155:one:0xabcdef0123456789abcdef0123456789abcdef01'),
    () => parseCaip10('eip155:1:0x1234'),
    () => parseCaip19('eip155:1/erc20'),
    () => parseCaip19('eip155:1:erc20:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48'),
  ])('rejects malformed or uppercase ids (%#)', (parse) => {
    expect(parse).toThrow(InvalidCaipError)
  })
})
