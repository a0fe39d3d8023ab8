import { applyBps, type PriceRule } from './pricingPolicy.js'

export type LoadSurchargeParameters = {
  /** Surcharge at full load, in basis points. */
  maxBps: number
  /** Current load from 0 (idle) to 1 (full); values outside are clamped. */
  load: () => number | Promise<number>
}

/**
 * Surcharge that grows linearly with load: 0 when idle, `maxBps` at full load.
 *
 * @example loadSurcharge({ maxBps: 2_000, load: () => inFlight / capacity })
 */
export function loadSurcharge(parameters: LoadSurchargeParameters): PriceRule {
  return async (price) => {
    const load = Math.min(1, Math.max(0, await parameters.load()))
    return applyBps(price, parameters.maxBps * load)
  }
}
