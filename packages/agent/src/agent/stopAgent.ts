import { gotongTokenDecimals } from '@gotong/chain'
import { formatAmount } from '@gotong/core'
import type { AgentContext } from './agentContext.js'

/**
 * Stops serving and watching and closes the stores. Served calls not yet claimed are reported
 * first (`UNCLAIMED_AT_STOP`), with what to do before the money is at risk.
 */
export async function stopAgent(agent: AgentContext): Promise<void> {
  const { state, name } = agent
  if (state.stopped) return
  state.stopped = true
  // Feedback and registration updates under way finish before the stores close.
  await Promise.allSettled([...state.identity.rating.values(), state.identity.writes])
  state.unwatch?.()
  for (const owed of await agent.settler.unclaimed()) {
    const unclaimed = `${formatAmount(owed.unclaimed, gotongTokenDecimals)} gUSD`
    agent.warn({
      code: 'UNCLAIMED_AT_STOP',
      message:
        owed.status === 'closing'
          ? `${name} stops with ${unclaimed} of served calls unclaimed on channel ${owed.channelId}, which is closing: claim it (gotong channels claim) before ${new Date(Number(owed.closesAt) * 1_000).toISOString()}, or the payer's figure settles it.`
          : `${name} stops with ${unclaimed} of served calls unclaimed on channel ${owed.channelId}. Its payer can start a close at any time, which must be answered within ${owed.challengePeriod} s: claim now (gotong channels claim) or be back online within that time.`,
      channelId: owed.channelId,
      unclaimed: owed.unclaimed,
      closesAt: owed.closesAt,
    })
  }
  if (state.settleTimer) clearInterval(state.settleTimer)
  for (const responder of state.responders) responder.stop()
  agent.consumer.stop()
  agent.events.close()
  await state.listener?.close()
  agent.index.close()
  agent.payerStore.close()
  await agent.payeeStore.close()
  await agent.agreementStore?.close()
  agent.x402Ledger.close()
}
