import type { Client } from '@modelcontextprotocol/client'
import { McpWrapperError } from './errors.js'
import { McpToolDefinition, McpToolsPage } from './schemas.js'

/** Every tool a server lists, each parsed, and what was refused. */
export type McpToolListing = {
  tools: McpToolDefinition[]
  /** Tools whose definition is not a valid MCP tool, by name where one could be read. */
  invalid: { name: string | undefined; error: McpWrapperError }[]
}

/** A server whose cursors never end is not followed forever. */
const maxPages = 64

/**
 * Lists every tool of a connected server, following `nextCursor` page by page, and parses
 * each tool at the boundary: a tool that does not parse is reported, the rest are kept.
 *
 * @throws McpWrapperError `MCP_LIST_INVALID` if a page itself is not a `tools/list` result
 * @example const { tools } = await listMcpTools(client)
 */
export async function listMcpTools(client: Client): Promise<McpToolListing> {
  const listing: McpToolListing = { tools: [], invalid: [] }
  let cursor: string | undefined
  for (let page = 0; page < maxPages; page++) {
    // Without a cursor the SDK walks the pages itself; a cursor it hands back is followed here.
    const raw = await client.listTools(cursor === undefined ? {} : { cursor }, {
      cacheMode: 'refresh',
    })
    const parsed = McpToolsPage.safeParse(raw)
    if (!parsed.success)
      throw new McpWrapperError(
        'MCP_LIST_INVALID',
        'The server’s tools/list result is not valid.',
        {
          details: parsed.error.message,
        },
      )
    for (const tool of parsed.data.tools) {
      const definition = McpToolDefinition.safeParse(tool)
      if (definition.success) listing.tools.push(definition.data)
      else listing.invalid.push({ name: nameOf(tool), error: invalidTool(tool, definition.error) })
    }
    cursor = parsed.data.nextCursor
    if (cursor === undefined) return listing
  }
  throw new McpWrapperError(
    'MCP_LIST_INVALID',
    `The server’s tools/list ran past ${maxPages} pages.`,
  )
}

function nameOf(tool: unknown): string | undefined {
  const name = (tool as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : undefined
}

function invalidTool(tool: unknown, cause: Error): McpWrapperError {
  const name = nameOf(tool)
  return new McpWrapperError(
    'MCP_LIST_INVALID',
    `The server listed ${name ? `a tool "${name}"` : 'a tool'} whose definition is not valid MCP.`,
    { cause },
  )
}
