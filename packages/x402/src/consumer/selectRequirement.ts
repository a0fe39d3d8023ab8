import { type Address, getAddress, isAddress } from 'viem'
import { z } from 'zod'
import { X402PaymentError } from './errors.js'

const baseUnits = z.string().regex(/^(0|[1-9][0-9]{0,77})$/)
const address = z.string().refine((value) => isAddress(value, { strict: false }))

/** One offer of a 402, v1 (`maxAmountRequired`) or v2 (`amount`), as far as paying it needs. */
const Offer = z.looseObject({
  scheme: z.string(),
  network: z.string(),
  amount: baseUnits.optional(),
  maxAmountRequired: baseUnits.optional(),
  asset: z.string(),
  payTo: address,
  maxTimeoutSeconds: z.number().int().positive(),
  extra: z.record(z.string(), z.unknown()).nullish(),
})

/** The offer a payer chose, with what the policy checked in the forms it checked them. */
export type ChosenRequirement = {
  /** The offer exactly as the server sent it (x402's client signs this one). */
  raw: unknown
  x402Version: 1 | 2
  network: string
  chainId: number
  asset: Address
  amount: bigint
  payTo: Address
}

/** What a payer can pay: its chain, the assets it can price, and this call's limits. */
export type PaymentTerms = {
  chainId: number
  /** Assets the payer can price, on its chain (gUSD). */
  assets: readonly Address[]
  /** v1 network names of the payer's chain (v2 uses CAIP-2, `eip155:<chainId>`). */
  v1Networks: readonly string[]
  maxPrice?: bigint | undefined
  /** The only recipient this call may pay (a listing's), if any. */
  payee?: Address | undefined
}

/**
 * The offer of a 402 to pay: `exact` on the payer's chain, in an asset it can price through
 * EIP-3009, to the expected payee, the cheapest of those; or the typed refusal that says why
 * none is payable. Runs before anything is reserved or signed.
 *
 * @example const chosen = selectRequirement(paymentRequired, { chainId: 31337, assets: [gUSD], v1Networks: [] })
 */
export function selectRequirement(
  paymentRequired: { x402Version: number; accepts: readonly unknown[] },
  terms: PaymentTerms,
): ChosenRequirement {
  const x402Version = paymentRequired.x402Version === 1 ? 1 : 2
  const offers = paymentRequired.accepts.flatMap((raw) => {
    const parsed = Offer.safeParse(raw)
    const amount = parsed.success
      ? x402Version === 1
        ? parsed.data.maxAmountRequired
        : parsed.data.amount
      : undefined
    return parsed.success && amount !== undefined ? [{ raw, offer: parsed.data, amount }] : []
  })
  const network = `eip155:${terms.chainId}`
  const onChain = offers.filter(
    ({ offer }) =>
      offer.scheme === 'exact' &&
      (x402Version === 2 ? offer.network === network : terms.v1Networks.includes(offer.network)),
  )
  const described = describe(paymentRequired.accepts)
  if (onChain.length === 0)
    throw new X402PaymentError(
      'X402_SCHEME_UNSUPPORTED',
      `The endpoint offers no exact payment on ${network} (x402 v${x402Version}); nothing was signed.`,
      { details: described },
    )
  const priceable = new Set(terms.assets.map((a) => a.toLowerCase()))
  const payable = onChain.filter(
    ({ offer }) =>
      priceable.has(offer.asset.toLowerCase()) &&
      (offer.extra?.assetTransferMethod ?? 'eip3009') === 'eip3009' &&
      typeof offer.extra?.name === 'string' &&
      typeof offer.extra?.version === 'string',
  )
  if (payable.length === 0)
    throw new X402PaymentError(
      'X402_ASSET_UNSUPPORTED',
      `The endpoint asks for an asset this agent cannot price; it pays only ${terms.assets.join(', ')} by EIP-3009. Nothing was signed.`,
      { details: described },
    )
  const toPayee = terms.payee
    ? payable.filter(({ offer }) => getAddress(offer.payTo) === getAddress(terms.payee!))
    : payable
  if (toPayee.length === 0)
    throw new X402PaymentError(
      'X402_PAYEE_MISMATCH',
      `The endpoint asks to be paid to ${payable[0]!.offer.payTo}, not to ${terms.payee}, the recipient its listing names. Nothing was signed.`,
    )
  const cheapest = toPayee
    .map((o) => ({ ...o, value: BigInt(o.amount) }))
    .reduce((a, b) => (b.value < a.value ? b : a))
  if (terms.maxPrice !== undefined && cheapest.value > terms.maxPrice)
    throw new X402PaymentError(
      'PRICE_TOO_HIGH',
      `The endpoint asks ${cheapest.value}, more than the ${terms.maxPrice} this call may pay. Nothing was signed.`,
    )
  return {
    raw: cheapest.raw,
    x402Version,
    network: cheapest.offer.network,
    chainId: terms.chainId,
    asset: getAddress(cheapest.offer.asset),
    amount: cheapest.value,
    payTo: getAddress(cheapest.offer.payTo),
  }
}

function describe(accepts: readonly unknown[]): string {
  return accepts
    .map((a) => {
      const o = a as Record<string, unknown>
      return `${String(o.scheme)} on ${String(o.network)} in ${String(o.asset)}`
    })
    .join('; ')
}
