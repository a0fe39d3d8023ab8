import type { Address, Log } from 'viem'
import { getLogs } from 'viem/actions'
import { LogFetchError } from '../errors.js'
import type { DirectoryReadClient } from '../internal/readClient.js'

/**
 * What providers say when an `eth_getLogs` range is too wide or returns too much: Infura and geth
 * ("query returned more than 10000 results", "exceed maximum block range"), Alchemy ("Log
 * response size exceeded"), QuickNode ("limited to a 10,000 range"), Ankr ("block range is too
 * wide"), and timeouts of oversized queries.
 */
const refusal =
  /block range|range (is )?too|too (many|large|wide|big)|more than \d|exceed|limit|response size|results|timed? ?out/i

/**
 * Whether an error is a provider refusing the size of a `getLogs` query (so halving helps).
 *
 * @example isRangeRefusal({ code: -32005, message: 'query returned more than 10000 results' }) // true
 */
export function isRangeRefusal(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 16 && current; depth++) {
    const e = current as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown }
    if (e.code === -32005) return true
    for (const text of [e.message, e.details])
      if (typeof text === 'string' && refusal.test(text)) return true
    current = e.cause
  }
  return false
}

/**
 * Adaptive block span of `eth_getLogs`. It starts small and doubles while answers stay under
 * half of `targetLogs`, shrinks in proportion when an answer holds more (a dense stretch of
 * chain), and halves on a refusal, which also caps it from then on: provider limits do not
 * change under a running index.
 */
export type RangeState = { span: bigint; max: bigint; targetLogs: number }

/** A fresh span state: `max` is the widest query, `targetLogs` the logs wanted per answer. */
export function rangeState(max: bigint, targetLogs = 10_000): RangeState {
  return { span: min(max, 256n), max, targetLogs }
}

/**
 * Reads the directory's logs from `fromBlock` up to at most `toBlock`, in one query of at most
 * `state.span` blocks; a refused query is retried with half the span, down to one block.
 * Returns the logs and the last block they cover.
 */
export async function getLogsInRange(
  client: DirectoryReadClient,
  parameters: { address: Address; fromBlock: bigint; toBlock: bigint; state: RangeState },
): Promise<{ logs: Log[]; toBlock: bigint }> {
  const { address, fromBlock, state } = parameters
  for (;;) {
    const toBlock = min(parameters.toBlock, fromBlock + state.span - 1n)
    try {
      const logs = await getLogs(client, { address, fromBlock, toBlock })
      const blocks = toBlock - fromBlock + 1n
      if (logs.length > state.targetLogs)
        state.span = max1((blocks * BigInt(state.targetLogs)) / BigInt(logs.length))
      else if (logs.length <= state.targetLogs / 2 && blocks === state.span)
        state.span = min(state.max, state.span * 2n)
      return { logs, toBlock }
    } catch (error) {
      if (!isRangeRefusal(error) || state.span === 1n)
        throw new LogFetchError(fromBlock, toBlock, error)
      state.span = (state.span + 1n) / 2n
      state.max = min(state.max, state.span)
    }
  }
}

function max1(value: bigint): bigint {
  return value < 1n ? 1n : value
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
