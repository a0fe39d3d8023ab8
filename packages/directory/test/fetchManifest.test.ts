import { afterEach, describe, expect, test, vi } from 'vitest'
import { ManifestFetchError } from '../src/errors.js'
import { createManifestFetcher } from '../src/node.js'

const manifest = new TextEncoder().encode('{"name":"x"}')
// Answers every request with the manifest: what is refused is refused before any request.
const fetched: string[] = []
const fakeFetch = (async (url: URL) => {
  fetched.push(url.toString())
  return new Response(manifest)
}) as unknown as typeof fetch

describe('createManifestFetcher: plain http on a declared test network', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    fetched.length = 0
  })

  test('a host of GOTONG_TEST_NETWORK is fetched over http on a devnet chain', async () => {
    vi.stubEnv('GOTONG_TEST_NETWORK', '10.77.3.0/24')
    const fetchManifest = createManifestFetcher({ chainId: 31337, fetch: fakeFetch })
    expect(await fetchManifest('http://10.77.3.2:4000/m.json')).toEqual(manifest)
    expect(fetched).toEqual(['http://10.77.3.2:4000/m.json'])
  })

  test('refused without the variable, outside its range, or on another chain', async () => {
    const refused = async (uri: string, chainId: number) => {
      const error = await createManifestFetcher({ chainId, fetch: fakeFetch })(uri).catch((e) => e)
      return error instanceof ManifestFetchError
    }
    expect(await refused('http://10.77.3.2:4000/m.json', 31337)).toBe(true)
    vi.stubEnv('GOTONG_TEST_NETWORK', '10.77.3.0/24')
    expect(await refused('http://10.77.4.2:4000/m.json', 31337)).toBe(true)
    expect(await refused('http://10.77.3.2:4000/m.json', 8453)).toBe(true)
    expect(fetched).toEqual([])
  })
})
