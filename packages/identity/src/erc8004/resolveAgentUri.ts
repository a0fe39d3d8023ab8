import { InvalidInputError, parseWith } from '@gotong/core'
import { Erc8004Error } from './errors.js'
import { AgentRegistrationFile } from './registrationFile.js'

export type ResolveAgentUriOptions = {
  /** Fetches https (and other http) URIs; the global `fetch` by default. */
  fetch?: typeof globalThis.fetch | undefined
  /** Resolves `ipfs://<cid>` through this gateway (`https://ipfs.io/ipfs/`); refused without one. */
  ipfsGateway?: string | undefined
  /** The largest file accepted, in bytes (default 256 KiB). */
  maxBytes?: number | undefined
  /** How long a fetch may take (default 10 s). */
  timeoutMs?: number | undefined
}

/**
 * Resolves an agent URI to its registration file: decodes a `data:` URI (base64 or
 * percent-encoded JSON), fetches an `https:` one (or `http:`, for loopback agents), and an
 * `ipfs:` one through a gateway when given; then checks it is an ERC-8004 registration-v1 file.
 *
 * @example const file = await resolveAgentUri(await publicClient.readContract({ …, functionName: 'tokenURI', args: [agentId] }))
 */
export async function resolveAgentUri(
  uri: string,
  options: ResolveAgentUriOptions = {},
): Promise<AgentRegistrationFile> {
  const maxBytes = options.maxBytes ?? 256 * 1024
  const text = uri.startsWith('data:')
    ? decodeDataUri(uri)
    : await fetchText(httpUrlOf(uri, options.ipfsGateway), options, maxBytes)
  if (new TextEncoder().encode(text).length > maxBytes)
    throw new Erc8004Error(
      'AGENT_URI_UNREACHABLE',
      `The registration file is over ${maxBytes} bytes.`,
    )
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new Erc8004Error('REGISTRATION_INVALID', 'The registration file is not JSON.', { cause })
  }
  try {
    return parseWith(AgentRegistrationFile, json, 'ERC-8004 registration file')
  } catch (cause) {
    if (!(cause instanceof InvalidInputError)) throw cause
    throw new Erc8004Error(
      'REGISTRATION_INVALID',
      'The file is not an ERC-8004 registration-v1 file.',
      { cause },
    )
  }
}

function decodeDataUri(uri: string): string {
  const comma = uri.indexOf(',')
  const header = comma === -1 ? '' : uri.slice('data:'.length, comma).toLowerCase()
  const [mediaType, ...flags] = header.split(';')
  if (comma === -1 || !['application/json', 'text/json', ''].includes(mediaType ?? ''))
    throw new Erc8004Error(
      'AGENT_URI_UNSUPPORTED',
      `A data: agent URI must hold JSON (application/json), not ${mediaType || 'nothing'}.`,
    )
  const payload = uri.slice(comma + 1)
  try {
    if (!flags.includes('base64')) return decodeURIComponent(payload)
    const binary = atob(payload)
    return new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    )
  } catch (cause) {
    throw new Erc8004Error('AGENT_URI_UNREACHABLE', 'The data: agent URI does not decode.', {
      cause,
    })
  }
}

function httpUrlOf(uri: string, ipfsGateway: string | undefined): string {
  if (/^https?:\/\//i.test(uri)) return uri
  if (uri.startsWith('ipfs://')) {
    if (!ipfsGateway)
      throw new Erc8004Error(
        'AGENT_URI_UNSUPPORTED',
        'An ipfs:// agent URI needs an IPFS gateway (the ipfsGateway option).',
      )
    return `${ipfsGateway.replace(/\/+$/, '')}/${uri.slice('ipfs://'.length)}`
  }
  throw new Erc8004Error(
    'AGENT_URI_UNSUPPORTED',
    `Cannot resolve the agent URI ${uri.slice(0, 64)}: only data:, https: and ipfs: are known.`,
  )
}

async function fetchText(
  url: string,
  options: ResolveAgentUriOptions,
  maxBytes: number,
): Promise<string> {
  const fetch = options.fetch ?? globalThis.fetch
  let response: Response
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    })
  } catch (cause) {
    throw new Erc8004Error('AGENT_URI_UNREACHABLE', `Could not fetch ${url}.`, { cause })
  }
  if (!response.ok)
    throw new Erc8004Error('AGENT_URI_UNREACHABLE', `${url} answered ${response.status}.`)
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > maxBytes)
    throw new Erc8004Error('AGENT_URI_UNREACHABLE', `${url} is over ${maxBytes} bytes.`)
  return response.text()
}
