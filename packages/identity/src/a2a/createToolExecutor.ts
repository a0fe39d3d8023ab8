import { type Artifact, type Message, type Part, Role, TaskState } from '@a2a-js/sdk'
import { AgentEvent, type AgentExecutor, type RequestContext } from '@a2a-js/sdk/server'
import { bigintReplacer, toWireError, WireError } from '@gotong/core'
import type { Hex } from 'viem'
import type { z } from 'zod'
import { gotongMetadata, gotongPaymentsUri, type PaymentTerms } from './gotongPayments.js'
import { dataPart, textPart } from './parts.js'
import { A2aToolCall, type A2aToolResult } from './toolCall.js'

/** A call that carries a payment: what `serve` is given. */
export type PaidToolCall = { toolId: string; input: unknown; termsHash: Hex; payment: unknown }

export type CreateToolExecutorParameters = {
  /** The terms of a tool this agent serves, by its decimal id; undefined for any other. */
  termsOf: (toolId: string) => z.input<typeof PaymentTerms> | undefined
  /**
   * Serves a paid call (the gotong `call` route's checks, in its order) and answers the output
   * and the receipt; a refusal is thrown as a `WireError` whose `data.code` is gotong's code.
   */
  serve: (call: PaidToolCall) => Promise<A2aToolResult>
  /** Milliseconds since the epoch, for status timestamps. */
  now?: () => number
}

/**
 * The A2A agent executor of gotong's paid tools. A message whose data part names a tool
 * (`{ toolId, input, termsHash, payment }`) is served as a paid call and completes with a data
 * part `{ output, receipt }`; without `payment` the task is `input-required`, with the tool's
 * terms in the status message's metadata (`gotong.payment.required`), as a2a-x402 asks for
 * x402; every refusal fails the task with gotong's wire error (`gotong.error`, its `data.code`
 * the code). One event per request, the task in its final state.
 *
 * @example new DefaultRequestHandler(card, createTaskStore(), createToolExecutor({ termsOf, serve }))
 */
export function createToolExecutor(parameters: CreateToolExecutorParameters): AgentExecutor {
  const now = parameters.now ?? Date.now
  return {
    async execute(context, bus) {
      if (context.context.requestedExtensions?.includes(gotongPaymentsUri))
        context.context.addActivatedExtension(gotongPaymentsUri)
      const finish = (
        state: TaskState,
        parts: Part[],
        metadata: Record<string, unknown>,
        artifacts: Artifact[] = [],
      ) => {
        bus.publish(
          AgentEvent.task({
            id: context.taskId,
            contextId: context.contextId,
            status: {
              state,
              message: agentMessage(context, parts, metadata),
              timestamp: new Date(now()).toISOString(),
            },
            artifacts,
            history: context.task ? context.task.history : [context.userMessage],
            metadata: undefined,
          }),
        )
        bus.finished()
      }
      const fail = (error: unknown, paid: boolean) => {
        const payload = json(toWireError(error).toPayload())
        finish(TaskState.TASK_STATE_FAILED, [textPart(payload.message)], {
          ...(paid ? { [gotongMetadata.status]: 'payment-failed' } : {}),
          [gotongMetadata.error]: payload,
        })
      }
      const call = toolCallOf(context.userMessage)
      if (!call.success) {
        fail(call.error, false)
        return
      }
      const { toolId, input, termsHash, payment } = call.data
      const terms = parameters.termsOf(toolId)
      if (!terms) {
        fail(
          new WireError('not_found', `This agent serves no tool ${toolId}.`, {
            data: { code: 'TOOL_NOT_FOUND' },
          }),
          false,
        )
        return
      }
      if (payment === undefined || termsHash === undefined) {
        finish(
          TaskState.TASK_STATE_INPUT_REQUIRED,
          [
            textPart(
              `Payment is required: tool ${toolId} (${terms.name}) costs ${terms.price} base units a call. Negotiate at ${terms.negotiate}, fund a channel at ${terms.fund}, then send the call again with termsHash and a voucher as payment${terms.x402 ? `, or pay per call with x402 at ${terms.x402}` : ''}.`,
            ),
          ],
          {
            [gotongMetadata.status]: 'payment-required',
            [gotongMetadata.required]: json(terms),
          },
        )
        return
      }
      let result: A2aToolResult
      try {
        result = json(await parameters.serve({ toolId, input, termsHash, payment }))
      } catch (error) {
        fail(error, true)
        return
      }
      finish(
        TaskState.TASK_STATE_COMPLETED,
        [textPart(`Tool ${toolId} (${terms.name}) served and paid.`)],
        { [gotongMetadata.status]: 'payment-completed', [gotongMetadata.receipt]: result.receipt },
        [
          {
            artifactId: 'result',
            name: terms.name,
            description: 'The tool output and the payee-signed receipt.',
            parts: [dataPart(result)],
            metadata: undefined,
            extensions: [gotongPaymentsUri],
          },
        ],
      )
    },
    // A call runs to its end once paid: a cancelled call would still be charged or rolled back
    // behind the caller's back, so a task is never cancelled mid-call.
    async cancelTask() {},
  }
}

/** A value in its JSON form, bigints as decimal strings: A2A's parts and metadata are JSON. */
function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, bigintReplacer))
}

/** The first data part of a message that reads as a tool call, or why none does. */
function toolCallOf(message: Message) {
  const data = message.parts.flatMap((p) => (p.content?.$case === 'data' ? [p.content.value] : []))
  const parsed = A2aToolCall.safeParse(data[0])
  if (parsed.success) return parsed
  return {
    success: false as const,
    error: new WireError(
      'invalid_input',
      'A tool call is a data part { toolId, input, termsHash?, payment? }.',
      {
        data: {
          code: 'A2A_CALL_MALFORMED',
          issues: parsed.error.issues.map((i) => ({
            rule: i.code,
            path: i.path.join('.'),
            message: i.message,
          })),
        },
      },
    ),
  }
}

function agentMessage(
  context: RequestContext,
  parts: Part[],
  metadata: Record<string, unknown>,
): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: context.contextId,
    taskId: context.taskId,
    role: Role.ROLE_AGENT,
    parts,
    metadata,
    extensions: [gotongPaymentsUri],
    referenceTaskIds: [],
  }
}
