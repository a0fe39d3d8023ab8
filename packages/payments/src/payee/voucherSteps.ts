import type { PayeeBinding } from '../store/types.js'

/**
 * The least a channel's calls are paid at: its cheapest agreement's price. A call the payee has
 * not seen yet (a gap left by vouchers arriving out of order) is counted at this much.
 */
export function floorPrice(bindings: readonly PayeeBinding[]): bigint {
  let floor: bigint | undefined
  for (const b of bindings)
    if (floor === undefined || b.pricePerCall < floor) floor = b.pricePerCall
  return floor ?? 0n
}

/**
 * What a voucher must add over an earlier one on the same channel: its own agreement's price,
 * and the floor price for every call between them not seen yet. On a channel with one
 * agreement this is (calls apart) × price; on a shared one each call pays its own agreement's
 * price, so the newest voucher claimed always covers every call served below it.
 *
 * @example step({ from: 3n, to: 5n, price: 500n, floor: 100n }) // 600n: call 5 at 500, call 4 at ≥ 100
 */
export function step(parameters: {
  from: bigint
  to: bigint
  price: bigint
  floor: bigint
}): bigint {
  const { from, to, price, floor } = parameters
  return price + (to - from - 1n) * floor
}
