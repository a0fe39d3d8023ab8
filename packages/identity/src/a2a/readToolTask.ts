import { type Message, type Task, TaskState } from '@a2a-js/sdk'
import { WireError, WireErrorPayload } from '@gotong/core'
import { A2aError } from './errors.js'
import { gotongMetadata, PaymentTerms } from './gotongPayments.js'
import { A2aToolResult } from './toolCall.js'

/** What a tool call's A2A answer says, read and checked. */
export type ToolTaskAnswer =
  | { state: 'completed'; taskId: string; output: unknown; receipt: unknown }
  | { state: 'input-required'; taskId: string; terms: PaymentTerms }
  | { state: 'failed'; taskId: string; error: WireError }

/**
 * Reads the answer to a tool call (`SendMessage`'s result): the output and receipt of a
 * completed task (its result artifact's data part), the terms of one that is `input-required`,
 * or the refusal of a failed one as the `WireError` gotong's own routes would have sent. Throws
 * `A2A_ANSWER_INVALID` for anything else (a bare message, another state, a part that does not
 * parse).
 *
 * @example const answer = readToolTask(await client.sendMessage(toolCallMessage(call)))
 */
export function readToolTask(result: Message | Task): ToolTaskAnswer {
  if (!('status' in result)) throw invalid('a message, not a task')
  const taskId = result.id
  const state = result.status?.state
  const metadata = result.status?.message?.metadata ?? {}
  if (state === TaskState.TASK_STATE_COMPLETED) {
    const data = result.artifacts
      .flatMap((a) => a.parts)
      .flatMap((p) => (p.content?.$case === 'data' ? [p.content.value] : []))
    const parsed = A2aToolResult.safeParse(data[0])
    if (!parsed.success) throw invalid('a completed task without an { output, receipt } data part')
    return { state: 'completed', taskId, output: parsed.data.output, receipt: parsed.data.receipt }
  }
  if (state === TaskState.TASK_STATE_INPUT_REQUIRED) {
    const terms = PaymentTerms.safeParse(metadata[gotongMetadata.required])
    if (!terms.success) throw invalid(`an input-required task without ${gotongMetadata.required}`)
    return { state: 'input-required', taskId, terms: terms.data }
  }
  if (state === TaskState.TASK_STATE_FAILED) {
    const payload = WireErrorPayload.safeParse(metadata[gotongMetadata.error])
    if (!payload.success) throw invalid(`a failed task without ${gotongMetadata.error}`)
    return { state: 'failed', taskId, error: WireError.fromPayload(payload.data) }
  }
  throw invalid(`a task in state ${state === undefined ? 'unknown' : TaskState[state]}`)
}

function invalid(what: string): A2aError {
  return new A2aError('A2A_ANSWER_INVALID', `The agent answered the tool call with ${what}.`)
}
