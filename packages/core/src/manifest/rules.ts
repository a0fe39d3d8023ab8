import type { z } from 'zod'
import { testNetworkHost } from './testNetworkHost.js'

/** A refinement's error option carrying gotong's stable rule code. */
export function rule(code: string, message: string): { message: string; params: { rule: string } } {
  return { message, params: { rule: code } }
}

/** Adds a custom issue with a rule code to a superRefine/check context. */
export function addIssue<T>(
  ctx: z.RefinementCtx<T>,
  code: string,
  message: string,
  path: PropertyKey[] = [],
): void {
  ctx.addIssue({ code: 'custom', message, params: { rule: code }, path, input: ctx.value })
}

const encoder = new TextEncoder()

/** UTF-8 byte length. */
export const byteLength = (value: string): number => encoder.encode(value).length
/** Unicode code point count. */
export const codePoints = (value: string): number => [...value].length

/** True when the string is already in Unicode Normalization Form C. */
export const isNfc = (value: string): boolean => value === value.normalize('NFC')

/** True when the string has an unpaired UTF-16 surrogate (not valid Unicode text). */
export function hasLoneSurrogate(value: string): boolean {
  return /\p{Surrogate}/u.test(value)
}

/** Chain ids treated as local devnets (anvil/hardhat 31337, geth --dev/ganache 1337). */
export const devnetChainIds: readonly number[] = [31337, 1337]

const loopbackHosts = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

export type UrlCheck = { rule: string; message: string } | undefined

/**
 * ERC-8257 §6 general HTTPS-URL rules (G1 lowercase scheme and host, G2 no `:443`, G3 A-label
 * host) plus `https://` only. With `allowLoopbackHttp`, `http://` to a loopback host passes:
 * the one relaxation gotong makes, for endpoints on a local devnet. It extends to a host of the
 * test network `GOTONG_TEST_NETWORK` declares (a private range, e.g. the network namespaces of
 * `gotong swarm --hosts 3`), and to no other host: without that variable, loopback only.
 */
export function checkHttpsUrl(
  raw: string,
  options: { allowLoopbackHttp?: boolean; devnetHint?: string } = {},
): UrlCheck {
  const match = /^([^:/?#]+):\/\/([^/?#]*)/.exec(raw)
  if (!match || !URL.canParse(raw))
    return { rule: 'invalid_url', message: 'must be an absolute https:// URL' }
  const scheme = match[1] ?? ''
  const authority = (match[2] ?? '').replace(/^.*@/, '')
  const host = authority.replace(/:\d*$/, '')
  const port = authority.slice(host.length)
  const lowerScheme = scheme.toLowerCase()
  if (lowerScheme === 'http' && options.allowLoopbackHttp && testNetworkHost(host)) return undefined
  if (lowerScheme === 'http' && loopbackHosts.test(host.toLowerCase())) {
    if (options.allowLoopbackHttp) return undefined
    return {
      rule: 'not_https',
      message: `must be https://; http:// is accepted only for a loopback host on a local devnet chain (${devnetChainIds.join(', ')})${options.devnetHint ? `, and ${options.devnetHint}` : ''}`,
    }
  }
  if (lowerScheme !== 'https') return { rule: 'not_https', message: 'must be an https:// URL' }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range test
  if (/[^\x00-\x7f]/.test(host))
    return { rule: 'idn_not_ace', message: 'host must be written as an A-label (punycode)' }
  if (scheme !== lowerScheme || host !== host.toLowerCase())
    return {
      rule: 'url_not_normalized',
      message: 'scheme and host must be lowercase (ERC-8257 §6 G1)',
    }
  if (port === ':443')
    return { rule: 'url_not_normalized', message: 'the default port :443 must be omitted (G2)' }
  return undefined
}

/** Depth (nested containers) and object count of a JSON value, for the parser-hardening caps. */
export function jsonShape(value: unknown): { depth: number; objects: number } {
  let objects = 0
  const visit = (node: unknown, level: number): number => {
    if (node === null || typeof node !== 'object') return level - 1
    if (!Array.isArray(node)) objects++
    if (level > 64) return level
    let deepest = level
    for (const child of Array.isArray(node) ? node : Object.values(node))
      deepest = Math.max(deepest, visit(child, level + 1))
    return deepest
  }
  return { depth: visit(value, 1), objects }
}
