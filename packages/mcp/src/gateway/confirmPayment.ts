import {
  type CallToolResult,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server'
import { McpGatewayError } from '../errors.js'

const requestedSchema = {
  type: 'object' as const,
  properties: { pay: { type: 'boolean' as const, title: 'Pay for this call' } },
  required: ['pay'],
}

/**
 * Asks the user to confirm a payment through MCP elicitation: pushed as `elicitation/create` on
 * a 2025-era connection, returned as `input_required` on a 2026-07-28 one (the client answers
 * and calls again). Resolves `true` once confirmed; a result to return while the answer is
 * pending. Throws `CONFIRMATION_UNAVAILABLE` when the client cannot ask its user, and
 * `CONFIRMATION_DECLINED` when the user says no.
 */
export async function confirmPayment(
  server: McpServer,
  context: ServerContext,
  era: 'legacy' | 'modern',
  message: string,
): Promise<true | CallToolResult | InputRequiredResult> {
  const capabilities = server.server.getClientCapabilities()
  if (!capabilities?.elicitation)
    throw new McpGatewayError(
      'CONFIRMATION_UNAVAILABLE',
      `${message} This call needs the user's confirmation, and this MCP client cannot ask for it (no elicitation); nothing was paid.`,
    )
  let answer: { action: string; content?: Record<string, unknown> | undefined }
  if (era === 'legacy') {
    answer = await context.mcpReq.elicitInput({ mode: 'form', message, requestedSchema })
  } else {
    const view = inputResponse(context.mcpReq.inputResponses, 'confirm')
    if (view.kind !== 'elicit')
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit({ message, requestedSchema }) },
      })
    answer = view
  }
  if (answer.action === 'accept' && answer.content?.pay === true) return true
  throw new McpGatewayError(
    'CONFIRMATION_DECLINED',
    `The user did not confirm the payment (${answer.action}); nothing was paid.`,
  )
}
