import { z } from 'zod'
import { maxUint256 } from '../utils/amount.js'
import { caipChainOf, parseCaip10, parseCaip19 } from '../utils/caip.js'
import {
  addIssue,
  byteLength,
  checkHttpsUrl,
  codePoints,
  devnetChainIds,
  hasLoneSurrogate,
  isNfc,
  jsonShape,
  rule,
} from './rules.js'
import { checkToolModel } from './toolModel.js'

/** The `type` of an ERC-8257 v1 tool manifest. */
export const toolManifestType = 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1'

/** ERC-8257 parser-hardening caps. */
export const manifestLimits = {
  bytes: 1_048_576,
  pricing: 32,
  requirements: 256,
  requirementDataBytes: 4096,
  labelBytes: 256,
  urlBytes: 2048,
  schemaDepth: 16,
  schemaNodes: 1024,
  tags: 16,
} as const

/** Options that depend on where a manifest is used, not on the manifest itself. */
export type ManifestContext = {
  /** The registry's chain. On a local devnet (31337, 1337) a loopback http endpoint is allowed. */
  chainId?: number | undefined
}

const caseInsensitiveAddress = /^0x[0-9a-fA-F]{40}$/
const zeroAddress = `0x${'0'.repeat(40)}`

const lowerHexAddress = z.string().superRefine((value, ctx) => {
  if (!caseInsensitiveAddress.test(value))
    return addIssue(ctx, 'invalid_address', 'must be 0x followed by 40 hex digits')
  if (value !== value.toLowerCase())
    return addIssue(ctx, 'uppercase_hex', 'hex digits must be lowercase (ERC-8257 §2)')
  if (value === zeroAddress) addIssue(ctx, 'zero_address', 'must not be the zero address')
})

/** A hex string field that must be lowercase; `bytes` bounds its decoded length. */
const lowerHex = (opts: { pattern: RegExp; what: string; maxBytes?: number }) =>
  z.string().superRefine((value, ctx) => {
    if (!opts.pattern.test(value.toLowerCase()))
      return addIssue(ctx, 'invalid_hex', `must be ${opts.what}`)
    if (value !== value.toLowerCase())
      return addIssue(ctx, 'uppercase_hex', 'hex digits must be lowercase (ERC-8257 §2)')
    if (opts.maxBytes !== undefined && (value.length - 2) / 2 > opts.maxBytes)
      addIssue(ctx, 'too_long', `must decode to at most ${opts.maxBytes} bytes`)
  })

const text = (opts: { min: number; max: number; allowNewlines: boolean }) =>
  z.string().superRefine((value, ctx) => {
    const n = codePoints(value)
    if (n < opts.min) addIssue(ctx, 'too_short', `must have at least ${opts.min} character`)
    if (n > opts.max) addIssue(ctx, 'too_long', `must have at most ${opts.max} characters`)
    const controls = opts.allowNewlines ? /[^\P{Cc}\n\r\t]/u : /\p{Cc}/u
    if (controls.test(value))
      addIssue(ctx, 'control_character', 'must not contain control characters')
  })

const httpsUrl = z.string().superRefine((value, ctx) => {
  if (byteLength(value) > manifestLimits.urlBytes)
    return addIssue(ctx, 'too_long', `must be at most ${manifestLimits.urlBytes} bytes`)
  const problem = checkHttpsUrl(value)
  if (problem) addIssue(ctx, problem.rule, problem.message)
})

const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

const tag = z
  .string()
  .refine(
    (value) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value),
    rule('tag_grammar', 'must be lowercase letters, digits and inner hyphens'),
  )
  .refine((value) => value.length <= 32, rule('too_long', 'must be at most 32 characters'))

/** One ERC-8257 §3 pricing entry: amount in base units, CAIP-19 asset, CAIP-10 recipient. */
export const PricingEntry = z
  .looseObject({
    amount: z.string().superRefine((value, ctx) => {
      if (!/^(0|[1-9][0-9]*)$/.test(value))
        return addIssue(
          ctx,
          'amount_grammar',
          'must be a base-unit integer without sign or leading zeros',
        )
      if (value.length > 78 || BigInt(value) > maxUint256)
        addIssue(ctx, 'amount_range', 'must be at most 2^256 - 1')
    }),
    asset: z.string().superRefine((value, ctx) => {
      caipCheck(ctx, () => parseCaip19(value))
    }),
    recipient: z.string().superRefine((value, ctx) => {
      if (!caipCheck(ctx, () => parseCaip10(value))) return
      if (parseCaip10(value).address === zeroAddress)
        addIssue(ctx, 'zero_address', 'recipient must not be the zero address')
    }),
    protocol: z.string().min(1, rule('too_short', 'must name a payment protocol')),
  })
  .superRefine((entry, ctx) => {
    if (typeof entry.asset !== 'string' || typeof entry.recipient !== 'string') return
    if (caipChainOf(entry.asset) !== caipChainOf(entry.recipient))
      addIssue(ctx, 'chain_mismatch', 'asset and recipient must be on the same chain', [
        'recipient',
      ])
  })
export type PricingEntry = z.infer<typeof PricingEntry>

function caipCheck(ctx: z.RefinementCtx<string>, parse: () => unknown): boolean {
  try {
    parse()
    return true
  } catch (error) {
    const reason = (error as Error).message
    addIssue(ctx, /lowercase/.test(reason) ? 'uppercase_hex' : 'invalid_caip', reason)
    return false
  }
}

/** One ERC-8257 §4 access requirement hint (the predicate on chain is authoritative). */
export const AccessRequirementHint = z.looseObject({
  kind: lowerHex({ pattern: /^0x[0-9a-f]{8}$/, what: 'a 4-byte hex selector' }),
  data: lowerHex({
    pattern: /^0x([0-9a-f]{2})*$/,
    what: 'hex bytes',
    maxBytes: manifestLimits.requirementDataBytes,
  }),
  label: z
    .string()
    .refine(
      (v) => byteLength(v) <= manifestLimits.labelBytes,
      rule('too_long', 'must be at most 256 bytes'),
    ),
  links: z
    .record(
      z
        .string()
        .refine((k) => byteLength(k) <= manifestLimits.urlBytes, rule('too_long', 'key too long')),
      httpsUrl,
    )
    .optional(),
})

/** ERC-8257 §4 `access`: advisory requirement hints combined with AND or OR. */
export const AccessHints = z.looseObject({
  logic: z.enum(['AND', 'OR'], rule('invalid_value', 'must be "AND" or "OR"')),
  requirements: z
    .array(AccessRequirementHint)
    .refine((r) => r.length > 0, rule('empty_requirements', 'must list at least one requirement'))
    .refine(
      (r) => r.length <= manifestLimits.requirements,
      rule('too_long', 'at most 256 requirements'),
    ),
})
export type AccessHints = z.infer<typeof AccessHints>

const attestation = z.looseObject({
  type: z.string().min(1),
  endpoint: httpsUrl.optional(),
  enclaveHash: lowerHex({ pattern: /^0x([0-9a-f]{2})+$/, what: 'non-empty hex bytes' }).optional(),
  maxAge: z.number().int().nonnegative().optional(),
  transparencyLogURI: httpsUrl.optional(),
})

/** ERC-8257 §5 `verifiability`: self-attested execution and data-handling claims. */
export const Verifiability = z.looseObject({
  tier: z.enum(['self-attested', 'hardware-attested', 'verifiable']),
  execution: z
    .string()
    .refine(
      (v) => ['standard', 'tee', 'e2ee'].includes(v) || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(v),
      rule('invalid_value', 'must be standard, tee, e2ee or a reverse-DNS extension value'),
    ),
  description: text({ min: 1, max: 500, allowNewlines: true }).optional(),
  dataRetention: z.enum(['full', 'metadata-only', 'ephemeral', 'none']).optional(),
  sourceVisibility: z.enum(['open-source', 'audited', 'proprietary']).optional(),
  attestation: attestation.optional(),
  reproducibleBuild: z
    .looseObject({
      sourceCodeURI: httpsUrl,
      buildInstructions: z.string().optional(),
      buildHash: lowerHex({
        pattern: /^0x([0-9a-f]{2})+$/,
        what: 'non-empty hex bytes',
      }).optional(),
    })
    .optional(),
})

const jsonSchema = z.record(
  z.string(),
  z.unknown(),
  rule('invalid_type', 'must be a JSON Schema object'),
)

/**
 * Builds the ERC-8257 v1 tool manifest schema for a context. Unknown top-level keys are kept
 * (extensions are hashed with the rest); nothing is transformed, so what parses is what hashes.
 */
export function toolManifestSchema(context: ManifestContext = {}) {
  const onDevnet = (chainId: number | undefined) =>
    chainId !== undefined && devnetChainIds.includes(chainId)
  return z
    .looseObject({
      type: z
        .string()
        .refine(
          (v) => v === toolManifestType,
          rule('unknown_type', `must be "${toolManifestType}"`),
        ),
      name: text({ min: 1, max: 128, allowNewlines: false }),
      description: text({ min: 1, max: 500, allowNewlines: true }),
      endpoint: z
        .string()
        .refine((v) => byteLength(v) <= manifestLimits.urlBytes, rule('too_long', 'URL too long')),
      inputs: jsonSchema,
      outputs: jsonSchema,
      creatorAddress: lowerHexAddress,
      version: z
        .string()
        .refine((v) => semver.test(v), rule('invalid_version', 'must be a semantic version'))
        .optional(),
      image: httpsUrl.optional(),
      tags: z
        .array(tag)
        .refine((t) => t.length <= manifestLimits.tags, rule('too_many_tags', 'at most 16 tags'))
        .refine(
          (tags) => new Set(tags).size === tags.length,
          rule('duplicate_tag', 'tags must be unique'),
        )
        .optional(),
      pricing: z
        .array(PricingEntry)
        .refine((p) => p.length > 0, rule('empty_pricing', 'must be absent or a non-empty array'))
        .refine(
          (p) => p.length <= manifestLimits.pricing,
          rule('too_long', 'at most 32 pricing entries'),
        )
        .optional(),
      access: AccessHints.optional(),
      verifiability: Verifiability.optional(),
    })
    .superRefine((manifest, ctx) => {
      checkStrings(manifest, ctx)
      checkToolModel(manifest, ctx)
      const chainId = context.chainId ?? pricingChainId(manifest.pricing)
      const endpointProblem = checkHttpsUrl(manifest.endpoint, {
        allowLoopbackHttp: onDevnet(chainId),
        devnetHint:
          chainId === undefined
            ? 'no chain is known for this manifest'
            : `this manifest is for chain ${chainId}`,
      })
      if (endpointProblem)
        addIssue(ctx, endpointProblem.rule, endpointProblem.message, ['endpoint'])
      const shape = [jsonShape(manifest.inputs), jsonShape(manifest.outputs)]
      for (const [i, key] of (['inputs', 'outputs'] as const).entries())
        if ((shape[i]?.depth ?? 0) > manifestLimits.schemaDepth)
          addIssue(ctx, 'schema_too_deep', 'must nest at most 16 levels', [key])
      if ((shape[0]?.objects ?? 0) + (shape[1]?.objects ?? 0) > manifestLimits.schemaNodes)
        addIssue(ctx, 'schema_too_large', 'inputs and outputs together allow at most 1,024 nodes', [
          'inputs',
        ])
    })
}

/** The chain id of the first eip155 pricing entry, if any. */
function pricingChainId(pricing: readonly PricingEntry[] | undefined): number | undefined {
  const asset = pricing?.[0]?.asset
  const match = asset ? /^eip155:(\d+)\//.exec(asset) : null
  return match ? Number(match[1]) : undefined
}

/** Every string value must be valid Unicode in NFC (ERC-8257 §2 canonical manifest bytes). */
function checkStrings(
  value: unknown,
  ctx: Parameters<typeof addIssue>[0],
  path: PropertyKey[] = [],
) {
  if (typeof value === 'string') {
    if (hasLoneSurrogate(value)) addIssue(ctx, 'invalid_unicode', 'has an unpaired surrogate', path)
    else if (!isNfc(value)) addIssue(ctx, 'not_nfc', 'must be Unicode NFC', path)
    return
  }
  if (value === null || typeof value !== 'object' || path.length > 64) return
  for (const [key, child] of Object.entries(value)) checkStrings(child, ctx, [...path, key])
}

/**
 * An ERC-8257 v1 tool manifest, validated for a context-free use (https endpoints only).
 * Use `parseToolManifest` to validate with a chain context or from raw bytes.
 */
export const ToolManifest = toolManifestSchema()
export type ToolManifest = z.infer<typeof ToolManifest>
