import { z } from 'zod'

/** An object JSON Schema as an MCP server sends it: kept verbatim, every key. */
const ObjectJsonSchema = z.looseObject({ type: z.literal('object') })

/**
 * One tool as an MCP server lists it. Loose: keys this version does not know (annotations,
 * icons, `_meta`, `execution`) are kept, so the definition hash covers everything the server
 * said about the tool.
 */
export const McpToolDefinition = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: ObjectJsonSchema,
  outputSchema: ObjectJsonSchema.optional(),
})
export type McpToolDefinition = z.infer<typeof McpToolDefinition>

/** One `tools/list` page; each tool is parsed on its own, so one bad tool spoils no others. */
export const McpToolsPage = z.looseObject({
  tools: z.array(z.unknown()),
  nextCursor: z.string().optional(),
})

/** One content block of a tool result (text, image, audio, resource link, embedded resource). */
export const McpContentBlock = z.looseObject({ type: z.string() })

/** A `tools/call` result as the server sends it. */
export const McpCallResult = z.looseObject({
  content: z.array(McpContentBlock),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
})
export type McpCallResult = z.infer<typeof McpCallResult>

/** The server's name and version, from the handshake. */
export const McpServerInfo = z.looseObject({ name: z.string(), version: z.string() })
export type McpServerInfo = { name: string; version: string }
