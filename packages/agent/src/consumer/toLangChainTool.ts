import { formatAmount } from '@gotong/core'
import type { Listing } from '@gotong/directory/node'
import { ToolMessage } from '@langchain/core/messages'
import { DynamicStructuredTool, ToolInputParsingException } from '@langchain/core/tools'
import { failureOf } from './failureOf.js'
import type { CallResult } from './types.js'

/**
 * A directory listing as a LangChain tool. Its schema is the manifest's JSON Schema; calling it
 * makes one paid call. The output reaches the model as data, `{"result": …}`, never something
 * the runtime acts on. Every failure, refused by the provider or here (a budget, a price, input
 * that does not match the schema), reaches it as `{"error": {"code", "message"}}`.
 *
 * Its name is the manifest's name, lowercased with anything but letters, digits, `_` and `-`
 * replaced by `_` (at most 48 characters), then `_` and the tool id: `word_stats_12`.
 */
export function toLangChainTool(
  listing: Listing,
  call: (toolId: bigint, input: unknown) => Promise<CallResult>,
  options: { decimals?: number; symbol?: string } = {},
): DynamicStructuredTool {
  const manifest = listing.manifest!
  const price = listing.price
    ? `${formatAmount(listing.price.amount, options.decimals ?? 6)} ${options.symbol ?? 'gUSD'}`
    : 'free'
  return new PaidTool({
    name: langChainToolName(manifest.name, listing.toolId),
    description: `${manifest.description} (paid tool ${listing.ref}, ${price} per call)`,
    schema: manifest.inputs as Record<string, unknown>,
    func: async (input: unknown) => {
      try {
        const result = await call(listing.toolId, input)
        return JSON.stringify({ result: result.output })
      } catch (error) {
        return JSON.stringify(failureOf(error))
      }
    },
  })
}

/** The LangChain name of a directory tool: its manifest name made safe, then its id. */
export function langChainToolName(name: string, toolId: bigint): string {
  return `${name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .slice(0, 48)}_${toolId}`
}

/**
 * LangChain checks a tool's arguments against its JSON Schema before the tool runs, and throws
 * prose when they do not match; here that too answers as JSON (`INPUT_INVALID`), nothing paid.
 */
export class PaidTool extends DynamicStructuredTool {
  override async call(...args: Parameters<DynamicStructuredTool['call']>) {
    try {
      return await super.call(...args)
    } catch (error) {
      if (!(error instanceof ToolInputParsingException)) throw error
      const [arg, config] = args
      const content = JSON.stringify({
        error: {
          code: 'INPUT_INVALID',
          message: `The arguments do not match the tool's input schema; nothing was paid. ${error.message}`,
        },
      })
      const call = (arg as { type?: unknown }).type === 'tool_call' ? arg : undefined
      const id = toolCallIdOf(call) ?? toolCallIdOf((config as { toolCall?: unknown })?.toolCall)
      return id
        ? new ToolMessage({ status: 'error', content, tool_call_id: id, name: this.name })
        : content
    }
  }
}

function toolCallIdOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | undefined)?.id
  return typeof value === 'object' && typeof id === 'string' ? id : undefined
}
