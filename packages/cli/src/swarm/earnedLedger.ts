import type { Hex } from 'viem'

/** A payee's income over its channels, from its committed vouchers. */
export function earnedLedger(
  rows: { channelId: Hex; calls: bigint; cumulativeAmount: bigint }[],
): bigint {
  // A payee's income on a channel is the cumulative amount of its newest served voucher.
  const best = new Map<Hex, bigint>()
  for (const r of rows)
    if (r.cumulativeAmount > (best.get(r.channelId) ?? 0n))
      best.set(r.channelId, r.cumulativeAmount)
  return [...best.values()].reduce((s, v) => s + v, 0n)
}
