import type { Address } from 'viem'
import { InvalidCaipError } from '../errors/caip.js'

/** A parsed CAIP-10 account id: `eip155:8453:0xabc…`. */
export type Caip10 = { namespace: string; reference: string; address: string }
/** A parsed CAIP-19 asset id: `eip155:8453/erc20:0xabc…`. */
export type Caip19 = {
  namespace: string
  reference: string
  assetNamespace: string
  assetReference: string
  tokenId: string | undefined
}

const chainPart = '([-a-z0-9]{3,8}):([-_a-zA-Z0-9]{1,32})'
const caip2 = new RegExp(`^${chainPart}$`)
const caip10 = new RegExp(`^${chainPart}:([-.%a-zA-Z0-9]{1,128})$`)
const caip19 = new RegExp(
  `^${chainPart}/([-a-z0-9]{3,8}):([-.%a-zA-Z0-9]{1,128})(?:/([-.%a-zA-Z0-9]{1,78}))?$`,
)
const evmAddress = /^0x[0-9a-fA-F]{40}$/

/**
 * Parses a CAIP-10 account id. On `eip155` the address must be 20 bytes of lowercase hex
 * (ERC-8257's rule for deterministic manifest bytes).
 *
 * @example parseCaip10('eip155:31337:0xf39f…2266')
 */
export function parseCaip10(value: string): Caip10 {
  const match = caip10.exec(value)
  if (!match) throw new InvalidCaipError('CAIP-10', value, 'expected <namespace>:<chain>:<account>')
  const [, namespace = '', reference = '', address = ''] = match
  if (namespace === 'eip155') checkEvm('CAIP-10', value, reference, address)
  return { namespace, reference, address }
}

/**
 * Parses a CAIP-19 asset id (`eip155:1/erc20:0x…`, `eip155:1/slip44:60`, `…/erc1155:0x…/7`).
 *
 * @example parseCaip19('eip155:31337/erc20:0x5fbd…0aa3')
 */
export function parseCaip19(value: string): Caip19 {
  const match = caip19.exec(value)
  if (!match)
    throw new InvalidCaipError('CAIP-19', value, 'expected <namespace>:<chain>/<asset ns>:<asset>')
  const [, namespace = '', reference = '', assetNamespace = '', assetReference = '', tokenId] =
    match
  if (namespace === 'eip155') {
    checkChainId('CAIP-19', value, reference)
    if (['erc20', 'erc721', 'erc1155'].includes(assetNamespace))
      checkEvm('CAIP-19', value, reference, assetReference)
  }
  return { namespace, reference, assetNamespace, assetReference, tokenId }
}

/** The CAIP-2 chain of a CAIP-10 or CAIP-19 id: the text before `/` or before the last `:`. */
export function caipChainOf(value: string): string {
  const slash = value.indexOf('/')
  if (slash >= 0) return value.slice(0, slash)
  return value.slice(0, value.lastIndexOf(':'))
}

/** Checks a CAIP-2 chain id (`eip155:31337`). */
export function isCaip2(value: string): boolean {
  return caip2.test(value)
}

/** `eip155:<chainId>:<lowercase address>`. */
export function toCaip10(chainId: number, address: Address): string {
  return `eip155:${chainId}:${address.toLowerCase()}`
}

/** `eip155:<chainId>/erc20:<lowercase token address>`. */
export function toErc20Caip19(chainId: number, token: Address): string {
  return `eip155:${chainId}/erc20:${token.toLowerCase()}`
}

/** The canonical ERC-8257 tool reference: `eip155:<chainId>/erc8257:<registry>/<toolId>`. */
export function toToolRef(chainId: number, registry: Address, toolId: bigint): string {
  return `eip155:${chainId}/erc8257:${registry.toLowerCase()}/${toolId}`
}

function checkChainId(kind: 'CAIP-10' | 'CAIP-19', value: string, reference: string): void {
  if (!/^(0|[1-9][0-9]*)$/.test(reference))
    throw new InvalidCaipError(kind, value, 'an eip155 chain reference is a decimal chain id')
}

function checkEvm(
  kind: 'CAIP-10' | 'CAIP-19',
  value: string,
  reference: string,
  address: string,
): void {
  checkChainId(kind, value, reference)
  if (!evmAddress.test(address))
    throw new InvalidCaipError(kind, value, 'an eip155 address is 0x and 40 hex digits')
  if (address !== address.toLowerCase())
    throw new InvalidCaipError(kind, value, 'hex digits must be lowercase')
}
