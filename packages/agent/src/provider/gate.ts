import { WireError } from '@gotong/core'
import { accessPredicateAbi, getTool } from '@gotong/directory'
import { type Address, encodeFunctionData, type PublicClient } from 'viem'

/** The verdict of a tool's gate for one account. */
export type GateStatus = 'open' | 'granted' | 'denied' | 'predicate_error'

/**
 * Asks a tool's access predicate about an account as of `confirmations` blocks behind the head,
 * so a balance borrowed (or bought) within the current block does not count yet. The predicate
 * is the one registered now; it is asked directly (as ERC-8257 `tryHasAccess` does, with a gas
 * cap), which also works for a tool registered within the last blocks.
 *
 * @example const status = await gateStatus(publicClient, { directory, toolId, account })
 */
export async function gateStatus(
  publicClient: PublicClient,
  parameters: { directory: Address; toolId: bigint; account: Address; confirmations?: bigint },
): Promise<GateStatus> {
  const tool = await getTool(publicClient, {
    address: parameters.directory,
    toolId: parameters.toolId,
  })
  if (!tool.accessPredicate) return 'open'
  const confirmations = parameters.confirmations ?? 1n
  const head = await publicClient.getBlockNumber({ cacheTime: 0 })
  const blockNumber = head > confirmations ? head - confirmations : 0n
  try {
    const { data } = await publicClient.call({
      to: tool.accessPredicate,
      data: encodeFunctionData({
        abi: accessPredicateAbi,
        functionName: 'hasAccess',
        args: [parameters.toolId, parameters.account, '0x'],
      }),
      blockNumber,
      gas: 200_000n,
    })
    // Canonical answers only, as tryHasAccess: one 32-byte word holding 0 or 1.
    if (data === `0x${'0'.repeat(63)}1`) return 'granted'
    if (data === `0x${'0'.repeat(64)}`) return 'denied'
    return 'predicate_error'
  } catch {
    return 'predicate_error'
  }
}

export type GateCheckerParameters = {
  publicClient: PublicClient
  directory: Address
  /** Check this many blocks behind the head, so a balance borrowed within a block never passes (default 1). */
  confirmations?: number
  /** How long a verdict is reused, in milliseconds (default 5,000). */
  ttlMs?: number
  now?: () => number
}

/**
 * Checks callers against a tool's on-chain access predicate at a block behind the head, caching
 * each verdict briefly. A denial throws `access_denied` (`GATE_DENIED`), a broken predicate
 * `predicate_failed` (`GATE_BROKEN`): never the same thing.
 *
 * @example const gate = createGateChecker({ publicClient, directory }); await gate(toolId, caller)
 */
export function createGateChecker(parameters: GateCheckerParameters) {
  const confirmations = BigInt(parameters.confirmations ?? 1)
  const ttl = parameters.ttlMs ?? 5_000
  const now = parameters.now ?? Date.now
  const cache = new Map<string, { at: number; status: GateStatus }>()
  return async (toolId: bigint, caller: Address): Promise<void> => {
    const key = `${toolId}:${caller.toLowerCase()}`
    let verdict = cache.get(key)
    if (!verdict || now() - verdict.at >= ttl) {
      const status = await gateStatus(parameters.publicClient, {
        directory: parameters.directory,
        toolId,
        account: caller,
        confirmations,
      })
      verdict = { at: now(), status }
      cache.set(key, verdict)
    }
    if (verdict.status === 'denied')
      throw new WireError(
        'access_denied',
        'The caller does not meet this tool’s access requirements.',
        {
          data: { code: 'GATE_DENIED', toolId: toolId.toString() },
        },
      )
    if (verdict.status === 'predicate_error')
      throw new WireError(
        'predicate_failed',
        'This tool’s access predicate is broken; no verdict.',
        {
          data: { code: 'GATE_BROKEN', toolId: toolId.toString() },
        },
      )
  }
}
