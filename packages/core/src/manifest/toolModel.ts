import { z } from 'zod'
import { addIssue, byteLength } from './rules.js'

/**
 * The manifest extension key (reverse-DNS, as ERC-8257 asks) naming the model behind a tool.
 * Its own key, not a field of `dev.gotong.terms`: the model describes the tool whichever rail
 * pays for it, and a reader that does not know the key keeps and hashes it without failing
 * (terms are a strict object, so a new field there would break every older parser).
 */
export const toolModelKey = 'dev.gotong.model'

/** Hex digests whose length is known, by algorithm: lowercase hex of this many digits. */
const hexDigestDigits: Readonly<Record<string, number>> = {
  sha256: 64,
  sha512: 128,
  keccak256: 64,
}

/** A token of printable characters: no whitespace, no control characters. */
const token = (code: string, what: string, maxBytes: number) =>
  z.string().superRefine((value, ctx) => {
    if (value.length === 0 || !/^[^\s\p{Cc}]+$/u.test(value))
      return addIssue(ctx, code, `must be ${what} without spaces or control characters`)
    if (byteLength(value) > maxBytes) addIssue(ctx, 'too_long', `must be at most ${maxBytes} bytes`)
  })

/**
 * The model behind a tool, under `dev.gotong.model`. A changed model is a changed manifest, so
 * a new version on chain with a new manifest hash: consumers that approved the old one refuse
 * the new one (`TOOL_CHANGED`) until they approve it.
 *
 * @example { provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' }
 */
export const ToolModel = z.looseObject({
  /** Who serves or publishes the model, a lowercase slug (`openai`, `meta`, `ollama`). */
  provider: z.string().superRefine((value, ctx) => {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(value))
      return addIssue(
        ctx,
        'model_provider_grammar',
        'must be lowercase letters, digits, inner dots and hyphens',
      )
    if (value.length > 64) addIssue(ctx, 'too_long', 'must be at most 64 characters')
  }),
  /** The provider's model id (`gpt-4o-mini`, `meta-llama/Llama-3.1-8B-Instruct`). */
  id: token('model_id_grammar', 'a model id', 256),
  /** The provider's version or snapshot name (`2024-07-18`, `q4_K_M`). */
  version: token('model_version_grammar', 'a version', 128).optional(),
  /**
   * `<algorithm>:<encoded>` (the OCI digest grammar): a hash of the weights (`sha256:` and
   * `sha512:` as lowercase hex) or the provider's id of an API snapshot (`openai-fp:fp_44709d6fcb`).
   */
  digest: z
    .string()
    .superRefine((value, ctx) => {
      const match = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(value)
      if (!match)
        return addIssue(ctx, 'model_digest_grammar', 'must be <algorithm>:<encoded> (OCI digest)')
      if (byteLength(value) > 256) return addIssue(ctx, 'too_long', 'must be at most 256 bytes')
      const [, algorithm = '', encoded = ''] = match
      const digits = hexDigestDigits[algorithm]
      if (digits === undefined) return
      if (!/^[0-9a-fA-F]+$/.test(encoded) || encoded.length !== digits)
        return addIssue(ctx, 'model_digest_length', `a ${algorithm} digest is ${digits} hex digits`)
      if (encoded !== encoded.toLowerCase())
        addIssue(ctx, 'uppercase_hex', 'hex digits must be lowercase')
    })
    .optional(),
})
export type ToolModel = z.infer<typeof ToolModel>

/** Checks a manifest's `dev.gotong.model`, when it has one, adding issues under that key. */
export function checkToolModel(
  manifest: Record<string, unknown>,
  ctx: z.RefinementCtx<Record<string, unknown>>,
): void {
  if (!(toolModelKey in manifest)) return
  const result = ToolModel.safeParse(manifest[toolModelKey])
  if (result.success) return
  for (const issue of result.error.issues)
    ctx.addIssue({ ...issue, path: [toolModelKey, ...issue.path] } as never)
}

/**
 * The model a manifest names under `dev.gotong.model`, or undefined when it names none (or
 * names one malformed: a verified manifest never does).
 *
 * @example toolModelOf(listing.manifest)?.id // 'gpt-4o-mini'
 */
export function toolModelOf(manifest: Record<string, unknown> | undefined): ToolModel | undefined {
  const result = ToolModel.safeParse(manifest?.[toolModelKey])
  return result.success ? result.data : undefined
}

/**
 * A model in one line: `provider/id@version (digest)`, or `none` for no model.
 *
 * @example formatToolModel({ provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' }) // 'openai/gpt-4o-mini@2024-07-18'
 */
export function formatToolModel(model: ToolModel | undefined): string {
  if (!model) return 'none'
  const version = model.version === undefined ? '' : `@${model.version}`
  const digest = model.digest === undefined ? '' : ` (${model.digest})`
  return `${model.provider}/${model.id}${version}${digest}`
}
