import { devnetChainIds, testNetworkHost } from '@gotong/core'
import { ManifestFetchError } from '../errors.js'
import { maxManifestBytes } from '../verifyManifest.js'

/**
 * Fetches a version's manifest from its metadata URI. Any throw marks the version
 * `fetch_failed`; a `ManifestFetchError` with `oversized` marks it `oversized`.
 */
export type FetchManifest = (uri: string) => Promise<Uint8Array>

/**
 * The index's default manifest fetcher, following ERC-8257 §7: `https://` only (plus loopback
 * `http://` on a devnet chain, and `http://` to a host of the test network `GOTONG_TEST_NETWORK`
 * declares, as for endpoints), no redirects (a 3xx is a failure), a timeout, and at most 64 KiB
 * read (more is `oversized`, without downloading the rest).
 *
 * @example const fetchManifest = createManifestFetcher({ chainId: 31337 })
 */
export function createManifestFetcher(
  options: { chainId?: number; timeoutMs?: number; fetch?: typeof fetch } = {},
): FetchManifest {
  const doFetch = options.fetch ?? fetch
  const loopbackOk = options.chainId !== undefined && devnetChainIds.includes(options.chainId)
  return async (uri) => {
    let url: URL
    try {
      url = new URL(uri)
    } catch (cause) {
      throw new ManifestFetchError(uri, 'not a URL', { cause })
    }
    const local = (host: string) =>
      /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host) || testNetworkHost(host)
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && loopbackOk && local(url.hostname))
    )
      throw new ManifestFetchError(
        uri,
        `${url.protocol} is not allowed (manifests are served over https)`,
      )
    const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000)
    let response: Response
    try {
      response = await doFetch(url, {
        redirect: 'manual',
        signal,
        headers: { accept: 'application/json' },
      })
    } catch (cause) {
      throw new ManifestFetchError(uri, 'the request failed', { cause })
    }
    if (response.status >= 300 && response.status < 400)
      throw new ManifestFetchError(
        uri,
        `the server redirected (${response.status}); redirects are not followed`,
      )
    if (!response.ok) throw new ManifestFetchError(uri, `the server answered ${response.status}`)
    const chunks: Uint8Array[] = []
    let size = 0
    const reader = response.body?.getReader()
    if (!reader) return new Uint8Array()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.length
      if (size > maxManifestBytes) {
        await reader.cancel()
        throw new ManifestFetchError(uri, `it is larger than ${maxManifestBytes} bytes`, {
          oversized: true,
        })
      }
      chunks.push(value)
    }
    const bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.length
    }
    return bytes
  }
}
