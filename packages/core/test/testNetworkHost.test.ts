import { afterEach, describe, expect, test, vi } from 'vitest'
import { BaseError, parseToolManifest } from '../src/index.js'
import { freeTool } from './fixtures.js'

const at = (endpoint: string) => ({ ...freeTool, endpoint })

function rejection(input: unknown, chainId: number): string | undefined {
  try {
    parseToolManifest(input, { chainId })
    return undefined
  } catch (error) {
    return (error as BaseError).code
  }
}

describe('http endpoints on a declared test network (GOTONG_TEST_NETWORK)', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  test('are refused when no test network is declared: loopback is the only default', () => {
    vi.stubEnv('GOTONG_TEST_NETWORK', '')
    expect(rejection(at('http://10.77.3.2:4000/tools/x'), 31337)).toBe('MANIFEST_INVALID')
  })

  test('a host inside the declared range passes on a devnet chain, and only there', () => {
    vi.stubEnv('GOTONG_TEST_NETWORK', '10.77.3.0/24')
    expect(rejection(at('http://10.77.3.2:4000/tools/x'), 31337)).toBeUndefined()
    expect(rejection(at('http://10.77.3.2:4000/tools/x'), 8453)).toBe('MANIFEST_INVALID')
    // Next door to the range, and a public host, still need https.
    expect(rejection(at('http://10.77.4.2:4000/tools/x'), 31337)).toBe('MANIFEST_INVALID')
    expect(rejection(at('http://example.com/tools/x'), 31337)).toBe('MANIFEST_INVALID')
  })

  test('a declared range outside the private ranges is refused, not honoured', () => {
    vi.stubEnv('GOTONG_TEST_NETWORK', '8.8.8.0/24')
    let error: unknown
    try {
      parseToolManifest(at('http://8.8.8.8/tools/x'), { chainId: 31337 })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(BaseError)
    expect((error as BaseError).code).toBe('TEST_NETWORK_INVALID')
    vi.stubEnv('GOTONG_TEST_NETWORK', '10.0.0.0/7')
    expect(() => parseToolManifest(at('http://10.1.1.1/x'), { chainId: 31337 })).toThrow(
      /not a private IPv4 range/,
    )
  })
})
