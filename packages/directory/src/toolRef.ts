import { InvalidInputError, toToolRef } from '@gotong/core'
import { type Address, getAddress } from 'viem'

/** A tool reference taken apart: chain and registry are absent for a bare id. */
export type ParsedToolRef = {
  chainId: number | undefined
  registry: Address | undefined
  toolId: bigint
}

const refPattern = /^eip155:(0|[1-9][0-9]*)\/erc8257:(0x[0-9a-fA-F]{40})\/([1-9][0-9]{0,77})$/

/**
 * Parses a tool id (`"7"`) or the ERC's canonical reference
 * (`eip155:<chainId>/erc8257:<registry>/<toolId>`).
 *
 * @throws InvalidInputError (rule `invalid_tool_ref`)
 * @example parseToolRef('eip155:31337/erc8257:0x5fbd…0aa3/7') // { chainId: 31337, registry, toolId: 7n }
 */
export function parseToolRef(value: string): ParsedToolRef {
  const trimmed = value.trim()
  if (/^[1-9][0-9]{0,77}$/.test(trimmed))
    return { chainId: undefined, registry: undefined, toolId: BigInt(trimmed) }
  const match = refPattern.exec(trimmed)
  if (!match)
    throw new InvalidInputError('tool reference', [
      {
        rule: 'invalid_tool_ref',
        path: '',
        message: `expected a tool id from 1 or eip155:<chainId>/erc8257:<registry>/<toolId>, got ${JSON.stringify(value)}`,
      },
    ])
  return {
    chainId: Number(match[1]),
    registry: getAddress(match[2]!),
    toolId: BigInt(match[3]!),
  }
}

/**
 * The canonical ERC-8257 tool reference, `eip155:<chainId>/erc8257:<registry>/<toolId>`.
 *
 * @example formatToolRef(31337, directory, 7n) // 'eip155:31337/erc8257:0x5fbd…0aa3/7'
 */
export function formatToolRef(chainId: number, registry: Address, toolId: bigint): string {
  return toToolRef(chainId, registry, toolId)
}
