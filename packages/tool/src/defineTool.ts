import type { z } from 'zod'

// viem's `Address` and `Hex` are these same template literals, so values pass either way and
// the tool contract needs no viem.
type Address = `0x${string}`
type Hex = `0x${string}`

/** What a handler may know about the call it serves. Payment and gating stay outside. */
export type ToolContext = {
  /** The verified address of the calling agent. */
  caller: Address
  /** The agreement the call is paid under. */
  termsHash: Hex
  /** Aborted when the call's time is up. */
  signal: AbortSignal
}

/**
 * JSON Schemas published in the manifest in place of the ones generated from the zod schemas:
 * for a tool whose schemas were written in JSON Schema elsewhere (an MCP server's tool), so
 * the listing shows them as their author wrote them.
 */
export type ToolJsonSchema = {
  readonly input?: Readonly<Record<string, unknown>>
  readonly output?: Readonly<Record<string, unknown>>
}

/**
 * Extra top-level manifest keys, each namespaced in reverse-DNS form (`dev.example.origin`),
 * as ERC-8257 allows; they are hashed with the rest of the manifest.
 */
export type ToolManifestExtensions = Readonly<Record<`${string}.${string}`, unknown>>

/**
 * The model behind a tool, published in its manifest under `dev.gotong.model`. A new model (or
 * a new version or digest of it) is a new manifest version on chain, which consumers that
 * approved the old one refuse until they approve it again.
 */
export type ToolModel = {
  /** Who serves or publishes the model, a lowercase slug: `openai`, `meta`, `ollama`. */
  readonly provider: string
  /** The provider's model id: `gpt-4o-mini`, `meta-llama/Llama-3.1-8B-Instruct`. */
  readonly id: string
  /** The provider's version or snapshot name: `2024-07-18`, `q4_K_M`. */
  readonly version?: string
  /** `sha256:<hex>` of the weights, or the provider's snapshot id (`openai-fp:fp_44709d6fcb`). */
  readonly digest?: string
}

/** A tool: a name, a description, zod schemas for input and output, and a handler. */
export type Tool<
  Name extends string = string,
  Input extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
> = {
  readonly name: Name
  readonly description: string
  readonly input: Input
  readonly output: Output
  /** Manifest tags (capabilities), lowercase with hyphens. */
  readonly tags: readonly string[]
  /** Semantic version published in the manifest. */
  readonly version: string
  /** The manifest's JSON Schemas, when they should not be generated from `input` and `output`. */
  readonly jsonSchema?: ToolJsonSchema
  /** Namespaced extension keys added to the manifest. */
  readonly extensions?: ToolManifestExtensions
  /** The model behind the tool, if its answers come from one. */
  readonly model?: ToolModel
  readonly handler: (
    input: z.output<Input>,
    context: ToolContext,
  ) => Promise<z.input<Output>> | z.input<Output>
}

/**
 * Defines a tool. The handler's argument is inferred from `input`; its result is checked
 * against `output` before anyone is charged.
 *
 * @example
 * const wordCount = defineTool({
 *   name: 'word-count',
 *   description: 'Counts the words of a text.',
 *   input: z.object({ text: z.string() }),
 *   output: z.object({ words: z.number().int() }),
 *   handler: ({ text }) => ({ words: text.split(/\s+/).filter(Boolean).length }),
 * })
 * // A tool whose answers come from a model names it:
 * // defineTool({ ..., model: { provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' } })
 */
export function defineTool<
  const Name extends string,
  Input extends z.ZodType,
  Output extends z.ZodType,
>(definition: {
  name: Name
  description: string
  input: Input
  output: Output
  tags?: readonly string[]
  version?: string
  jsonSchema?: ToolJsonSchema
  extensions?: ToolManifestExtensions
  model?: ToolModel
  handler: (
    input: z.output<Input>,
    context: ToolContext,
  ) => Promise<z.input<Output>> | z.input<Output>
}): Tool<Name, Input, Output> {
  return {
    name: definition.name,
    description: definition.description,
    input: definition.input,
    output: definition.output,
    tags: definition.tags ?? [],
    version: definition.version ?? '1.0.0',
    ...(definition.jsonSchema ? { jsonSchema: definition.jsonSchema } : {}),
    ...(definition.extensions ? { extensions: definition.extensions } : {}),
    ...(definition.model ? { model: definition.model } : {}),
    handler: definition.handler,
  }
}
