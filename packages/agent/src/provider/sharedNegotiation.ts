import type { ProviderMessage, SignedAgreement } from '@gotong/core'
import type { Responder } from '@gotong/negotiation'
import type { PgAgreementStore } from '@gotong/payments/pg'
import { type Hex, zeroHash } from 'viem'

/**
 * A tool's negotiations kept in the provider's shared ledger, so replicas behind one endpoint
 * answer any message of one: each message takes the negotiation's row lock, restores its
 * machine from the saved state into a responder made for this message alone, answers, and saves
 * the new state before the lock is let go. A replica killed mid-message saves nothing (its
 * transaction rolls back): the consumer's retry finds the state as it was. An agreement it
 * countersigns is in the ledger before the countersignature is sent.
 */
export function sharedNegotiation(parameters: {
  store: PgAgreementStore
  /** A responder for one message, resuming `restore` when given. */
  responder: (options: { restore?: string; onAgreement: (a: SignedAgreement) => void }) => Responder
  onAgreement: (agreement: SignedAgreement) => void
}) {
  const { store } = parameters
  return async (message: unknown, options: { from?: string }): Promise<ProviderMessage> => {
    const cfpId = (message as { cfpId?: unknown } | null)?.cfpId
    // Not a negotiation's message at all: refused by a responder without touching the ledger.
    if (typeof cfpId !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(cfpId) || cfpId === zeroHash)
      return once(parameters, undefined, message, options).then((r) => r.result.reply)
    const { reply, agreement } = await store.negotiation(cfpId as Hex, async (saved) => {
      const { state, result } = await once(parameters, saved, message, options)
      if (result.agreement) await store.saveAgreement(result.agreement)
      return { state, result }
    })
    if (agreement) parameters.onAgreement(agreement)
    return reply
  }
}

async function once(
  parameters: Parameters<typeof sharedNegotiation>[0],
  saved: string | undefined,
  message: unknown,
  options: { from?: string },
) {
  let countersigned: SignedAgreement | undefined
  const responder = parameters.responder({
    ...(saved ? { restore: saved } : {}),
    onAgreement: (a) => {
      countersigned = a
    },
  })
  try {
    const reply = await responder.handle(message, options)
    // A restored machine already serving reports its agreement again: only a countersignature
    // sent now is a new one.
    const agreement =
      reply.type === 'countersign' && countersigned?.termsHash === reply.termsHash
        ? countersigned
        : undefined
    return {
      state: responder.persist(),
      result: { reply, ...(agreement ? { agreement } : {}) } as {
        reply: ProviderMessage
        agreement?: SignedAgreement
      },
    }
  } finally {
    responder.stop()
  }
}
