import { type Message, Role, type SendMessageRequest } from '@a2a-js/sdk'
import { bigintReplacer } from '@gotong/core'
import type { z } from 'zod'
import { dataPart } from './parts.js'
import type { A2aToolCall } from './toolCall.js'

/**
 * The A2A `SendMessage` request of a tool call: one data part `{ toolId, input, termsHash?,
 * payment? }`, bigints written as decimal strings (a voucher's amounts). With `taskId` it
 * continues a task (the one that asked for payment).
 *
 * @example await client.sendMessage(toolCallMessage({ toolId: '1', input: { text }, termsHash, payment }))
 */
export function toolCallMessage(
  call: z.input<typeof A2aToolCall>,
  options: { taskId?: string } = {},
): SendMessageRequest {
  const message: Message = {
    messageId: crypto.randomUUID(),
    contextId: '',
    taskId: options.taskId ?? '',
    role: Role.ROLE_USER,
    parts: [dataPart(JSON.parse(JSON.stringify(call, bigintReplacer)))],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  }
  return { tenant: '', message, configuration: undefined, metadata: undefined }
}
