import { contentHash } from '@gotong/core'
import { defineTool, type Tool, type ToolContext } from '@gotong/tool'
import type { Hex } from 'viem'
import { z } from 'zod'
import { McpWrapperError } from './errors.js'
import { McpContentBlock, type McpServerInfo, type McpToolDefinition } from './schemas.js'

/** The manifest extension key under which a wrapped tool records its MCP origin. */
export const mcpExtensionKey = 'dev.gotong.mcp'

/** What a wrapped tool returns: the MCP `CallToolResult` without `isError`. */
export type McpToolOutput = {
  content: { type: string; [key: string]: unknown }[]
  structuredContent?: Record<string, unknown>
}

/** A gotong tool made from an MCP tool. */
export type McpGotongTool = Tool<string, z.ZodType, z.ZodType<McpToolOutput, McpToolOutput>>

/** Forwards one call, its input parsed by the tool's input schema, to the MCP server. */
export type McpToolHandler = (input: unknown, context: ToolContext) => Promise<McpToolOutput>

/** ERC-8257 caps a manifest's name at 128 characters and its description at 500. */
const maxName = 128
const maxDescription = 500

/**
 * `keccak256` of the canonical JSON of a tool's definition as the server listed it (every key,
 * annotations included): what decides whether a published tool is still the same tool.
 *
 * @example definitionHash({ name: 'echo', inputSchema: { type: 'object' } }) // '0x…'
 */
export function definitionHash(definition: McpToolDefinition): Hex {
  return contentHash(definition)
}

/**
 * The agent serves a tool under `tools/<slug>`; two names with one slug would share a route.
 *
 * @example routeSlug('get_sum') // 'get-sum'
 */
export function routeSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

/**
 * Why an MCP tool's name cannot be a gotong tool's name, or undefined if it can.
 *
 * @example checkToolName('日本')?.code // 'MCP_TOOL_NAME_INVALID'
 */
export function checkToolName(name: string): McpWrapperError | undefined {
  const problem =
    [...name].length > maxName
      ? `is longer than ${maxName} characters`
      : /\p{Cc}/u.test(name)
        ? 'contains control characters'
        : /\p{Cs}/u.test(name) || name.normalize('NFC') !== name
          ? 'is not well-formed Unicode in NFC'
          : routeSlug(name) === ''
            ? 'has no ASCII letter or digit to route calls by'
            : undefined
  return problem
    ? new McpWrapperError('MCP_TOOL_NAME_INVALID', `The MCP tool name "${name}" ${problem}.`, {
        details: 'A tool manifest (ERC-8257) cannot take this name, so the tool is not served.',
      })
    : undefined
}

/**
 * Turns an MCP tool into a gotong tool: its name, its description (trimmed to the manifest's
 * limit), a zod input schema converted from its JSON Schema (a permissive object if it does
 * not convert: the server's own validation answers then), the `CallToolResult` shape as
 * output, its own JSON Schemas for the manifest, and its definition hash under
 * `dev.gotong.mcp`.
 *
 * @example const tool = toGotongTool(definition, { name: 'everything', version: '2.0.0' }, forward)
 */
export function toGotongTool(
  definition: McpToolDefinition,
  server: McpServerInfo,
  handler: McpToolHandler,
): McpGotongTool {
  const { name, inputSchema, outputSchema } = definition
  const structured = z.record(z.string(), z.unknown())
  return defineTool({
    name,
    description: describe(definition),
    input: inputOf(inputSchema),
    // structuredContent is not re-parsed against the outputSchema here: the MCP client already
    // validated it, and parsing could add defaults, so the output would not be what the
    // server returned.
    output: z.object({
      content: z.array(McpContentBlock),
      structuredContent: outputSchema ? structured : structured.optional(),
    }) as z.ZodType<McpToolOutput, McpToolOutput>,
    jsonSchema: { input: inputSchema, output: outputJsonSchema(outputSchema) },
    extensions: {
      [mcpExtensionKey]: {
        toolHash: definitionHash(definition),
        server: { name: server.name, version: server.version },
      },
    },
    handler,
  })
}

function inputOf(schema: Record<string, unknown>): z.ZodType {
  try {
    return z.fromJSONSchema(schema)
  } catch {
    // A schema zod cannot convert ($ref to elsewhere, a dialect it lacks): any object passes
    // here, and the MCP server's own validation refuses what it must (not charged).
    return z.looseObject({})
  }
}

function describe(definition: McpToolDefinition): string {
  const text = (definition.description?.trim() || definition.title?.trim() || definition.name)
    .replace(/\p{Cs}/gu, '\uFFFD')
    .normalize('NFC')
    .replace(/[^\P{Cc}\n\r\t]/gu, ' ')
  const points = [...text]
  return points.length <= maxDescription ? text : `${points.slice(0, maxDescription - 1).join('')}…`
}

function outputJsonSchema(structured: Record<string, unknown> | undefined) {
  return {
    type: 'object',
    properties: {
      content: {
        type: 'array',
        items: { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] },
      },
      structuredContent: structured ?? { type: 'object' },
    },
    required: structured ? ['content', 'structuredContent'] : ['content'],
  }
}
