import type { StructuredToolInterface } from '@langchain/core/tools'
import { z } from 'zod'
import { defineTool, type Tool } from './defineTool.js'

/**
 * Turns an existing LangChain tool into a gotong tool that can be priced, gated and served.
 * Its zod schema becomes the input schema; the output is the tool's result as a string unless
 * an `output` schema says otherwise.
 *
 * @example const tool = fromLangChainTool(new Calculator(), { tags: ['math'] })
 */
export function fromLangChainTool(
  langchainTool: StructuredToolInterface,
  options: { output?: z.ZodType; tags?: readonly string[]; version?: string; name?: string } = {},
): Tool {
  const schema = langchainTool.schema
  const input = isZod(schema) ? schema : z.object({ input: z.string() })
  return defineTool({
    name: options.name ?? langchainTool.name,
    description: langchainTool.description,
    input,
    output: options.output ?? z.string(),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.version ? { version: options.version } : {}),
    handler: async (args, { signal }) => {
      const result = await langchainTool.invoke(
        isZod(schema) ? args : (args as { input: string }).input,
        { signal },
      )
      return options.output ? result : typeof result === 'string' ? result : JSON.stringify(result)
    },
  })
}

function isZod(schema: unknown): schema is z.ZodType {
  return typeof schema === 'object' && schema !== null && 'safeParse' in schema && '_zod' in schema
}
