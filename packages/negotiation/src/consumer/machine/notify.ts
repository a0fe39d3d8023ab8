import type { RejectReason } from '@gotong/core'
import { rejection } from '../../machine/rejection.js'
import type { RequestInput } from './consumerActors.js'
import type { ConsumerContext } from './consumerTypes.js'

/** Why the consumer walks away from one provider. */
export type Notice = { to: string; reason: RejectReason; message?: string }

/**
 * Tells providers, fire and forget, why the consumer walked away; their answers are not
 * awaited (offers lapse on their own if a notice is lost).
 */
export function notify(
  enqueue: {
    spawnChild: (src: 'request', options: { id: string; input: RequestInput }) => void
    assign: (assignment: {
      notices: (args: { context: ConsumerContext }) => number
      outstanding: (args: { context: ConsumerContext }) => string[]
    }) => void
  },
  context: ConsumerContext,
  notices: readonly Notice[],
): void {
  const ids = notices.map((_, index) => `notify:${context.notices + index}`)
  notices.forEach((notice, index) => {
    enqueue.spawnChild('request', {
      id: ids[index]!,
      input: { to: notice.to, message: rejection(context, notice.reason, notice.message) },
    })
  })
  enqueue.assign({
    notices: ({ context }) => context.notices + notices.length,
    outstanding: ({ context }) => [...context.outstanding, ...ids],
  })
}
