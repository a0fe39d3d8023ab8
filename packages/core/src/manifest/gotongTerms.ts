import { z } from 'zod'
import { caipChainOf, parseCaip10 } from '../utils/caip.js'
import { addIssue, rule } from './rules.js'
import { type ManifestContext, toolManifestSchema } from './toolManifest.js'

/** The manifest extension key (reverse-DNS, as ERC-8257 asks) under which gotong's terms live. */
export const gotongTermsKey = 'dev.gotong.terms'
/** The `pricing[].protocol` of gotong's payment channels. */
export const gotongChannelProtocol = 'gotong-channel'

const positiveInt = (max: number) => z.number().int().min(1).max(max)

/**
 * gotong's own terms, carried in a manifest under `dev.gotong.terms`: where the payment
 * channels live and what service the provider offers. Prices stay in ERC-8257 `pricing`.
 */
export const GotongTerms = z.strictObject({
  /** Terms format version. */
  version: z.literal(1),
  /** CAIP-10 id of the PaymentChannels contract that holds deposits for this tool. */
  channels: z.string().superRefine((value, ctx) => {
    try {
      parseCaip10(value)
    } catch (error) {
      addIssue(ctx, 'invalid_caip', (error as Error).message)
    }
  }),
  /** Offered service levels. */
  sla: z
    .strictObject({
      /** 95th percentile latency of a call, in milliseconds. */
      p95LatencyMs: positiveInt(3_600_000),
      /** Sustained calls per minute the provider serves one consumer. */
      callsPerMinute: positiveInt(1_000_000),
    })
    .optional(),
  /** Call quotas a consumer can rely on (and is held to). */
  quota: z
    .strictObject({
      /** Calls per payment channel before a new agreement is needed. */
      callsPerChannel: positiveInt(2 ** 32 - 1).optional(),
      /** Calls per UTC day per consumer. */
      callsPerDay: positiveInt(2 ** 32 - 1).optional(),
    })
    .optional(),
  /** Smallest channel deposit the provider accepts, in base units of the pricing asset. */
  minDeposit: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,77})$/, rule('amount_grammar', 'base units'))
    .optional(),
  /**
   * The provider's promise that equal requests get equal answers: one input under one agreement
   * always gives one output. Two receipts for one `requestHash` with different `responseHash`es
   * then prove a lie, slashable at ProviderStake once the provider declared this manifest's hash
   * there (`declareDeterministic`); consumers keep such receipts as evidence.
   */
  deterministic: z.boolean().optional(),
})
export type GotongTerms = z.infer<typeof GotongTerms>

/**
 * A manifest gotong publishes: an ERC-8257 v1 manifest whose first pricing entry is paid
 * through gotong channels (an ERC-20 on an eip155 chain) and which carries `dev.gotong.terms`
 * on the same chain. Any ERC-8257 client reads it as an ordinary manifest.
 */
export function gotongToolManifestSchema(context: ManifestContext = {}) {
  return toolManifestSchema(context).superRefine((manifest, ctx) => {
    const first = manifest.pricing?.[0]
    if (!first || first.protocol !== gotongChannelProtocol)
      return addIssue(
        ctx,
        'gotong_pricing_first',
        `the first pricing entry must use protocol "${gotongChannelProtocol}"`,
        ['pricing'],
      )
    if (!/^eip155:\d+\/erc20:/.test(first.asset))
      addIssue(ctx, 'gotong_asset', 'gotong channels pay in an ERC-20 on an eip155 chain', [
        'pricing',
        0,
        'asset',
      ])
    const terms = GotongTerms.safeParse(manifest[gotongTermsKey])
    if (!terms.success) {
      if (manifest[gotongTermsKey] === undefined)
        return addIssue(ctx, 'gotong_terms_missing', `must carry "${gotongTermsKey}"`, [
          gotongTermsKey,
        ])
      for (const issue of terms.error.issues)
        ctx.addIssue({ ...issue, path: [gotongTermsKey, ...issue.path] } as never)
      return
    }
    if (caipChainOf(terms.data.channels) !== caipChainOf(first.asset))
      addIssue(ctx, 'chain_mismatch', 'channels contract and pricing asset must be on one chain', [
        gotongTermsKey,
        'channels',
      ])
  })
}

/** A gotong tool manifest (see `gotongToolManifestSchema`). */
export const GotongToolManifest = gotongToolManifestSchema()
export type GotongToolManifest = z.infer<typeof GotongToolManifest> & {
  [gotongTermsKey]: GotongTerms
}
