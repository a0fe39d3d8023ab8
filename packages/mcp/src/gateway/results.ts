import { type CallResult, failureOf } from '@gotong/agent'
import type { CallToolResult } from '@modelcontextprotocol/server'

/** Where a paid call's signed receipt travels in an MCP result. */
export const receiptMetaKey = 'dev.gotong/receipt'

/**
 * A paid call's MCP result: the output as `structuredContent` (an object as is; anything else
 * under `value`), the same as JSON text, and the provider's signed receipt in `_meta`.
 */
export function paidResult(call: CallResult): CallToolResult {
  const structured = isRecord(call.output) ? call.output : { value: call.output }
  return {
    content: [{ type: 'text', text: JSON.stringify(call.output) }],
    structuredContent: structured,
    _meta: { [receiptMetaKey]: toJson(call.receipt) },
  }
}

/** Plain data as an MCP result, for the gateway's own tools. */
export function dataResult(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data }
}

/**
 * A refusal as an MCP tool error the model can read: `{"error": {"code", "message"}}`, with the
 * gotong code (`BUDGET_EXCEEDED`, `PRICE_TOO_HIGH`, `TOOL_CHANGED`, …).
 */
export function errorResult(error: unknown): CallToolResult {
  const body = failureOf(error)
  return {
    content: [{ type: 'text', text: JSON.stringify(body) }],
    structuredContent: body,
    isError: true,
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
}
