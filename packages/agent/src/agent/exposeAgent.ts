import type { PayeeStore } from '@gotong/payments'
import { a2aCall } from '../a2a/a2aCall.js'
import { buildToolkit } from '../consumer/buildToolkit.js'
import { createX402Tool } from '../consumer/createX402Tool.js'
import { AgentError } from '../errors.js'
import { giveFeedback } from '../identity/giveFeedback.js'
import { syncRegistration } from '../identity/syncRegistration.js'
import { runGoal } from '../llm/runGoal.js'
import { serveTool } from '../provider/serveTool.js'
import { stake } from '../trust/stake.js'
import { stakeClientOf } from '../trust/stakeTransaction.js'
import { unstake } from '../trust/unstake.js'
import { withdrawStake } from '../trust/withdrawStake.js'
import type { AgentContext } from './agentContext.js'
import { spendLimitsOf } from './amounts.js'
import { stopAgent } from './stopAgent.js'
import type { Agent } from './types.js'

/**
 * The agent's public face over its context: each verb refuses once the agent has stopped, and
 * every failure, a bad option included, is a rejected promise.
 */
export function exposeAgent(context: AgentContext): Agent {
  const { consumer, payer, payeeStore } = context
  const alive = () => {
    if (context.state.stopped)
      throw new AgentError('AGENT_STOPPED', `Agent ${context.name} has been stopped.`)
  }
  return {
    name: context.name,
    address: context.account.address,
    get url() {
      return context.state.listener?.url
    },
    modelSource: context.modelSource,
    network: context.parameters.network,
    store: context.store,
    publicClient: context.publicClient,
    payer,
    payee: context.payee,
    settler: context.settler,
    index: context.index,
    events: {
      subscribe: context.events.subscribe,
      unsubscribe: context.events.unsubscribe,
      recent: context.events.recent,
      emit: context.events.emit,
    },
    async serve(tool, options) {
      alive()
      return serveTool(context, tool, options)
    },
    async toolkit(options) {
      alive()
      return buildToolkit(context, options)
    },
    async call(toolId, input, options = {}) {
      alive()
      return consumer.call(toolId, input, {
        ...spendLimitsOf(options, 'call'),
        ...(options.expectedCalls !== undefined ? { expectedCalls: options.expectedCalls } : {}),
      })
    },
    async a2aCall(cardUrl, toolId, input, options) {
      alive()
      return a2aCall(context, cardUrl, toolId, input, options)
    },
    async x402Tool(url, options) {
      alive()
      return createX402Tool(consumer, url, options)
    },
    approve: (toolId, pinned) => consumer.approve(toolId, pinned),
    async negotiate(capability, options = {}) {
      alive()
      return consumer.negotiateCapability(capability, {
        ...spendLimitsOf(options, `negotiate/${capability}`),
        ...(options.sla ? { sla: options.sla } : {}),
      })
    },
    async run(goal, options) {
      alive()
      return runGoal(context, goal, options)
    },
    ledger: () => ({
      paid: payer.vouchers(),
      // A shared ledger (PostgreSQL, `ledger: { url }`) is read asynchronously, from any replica.
      earned: context.parameters.ledger ? [] : (payeeStore as PayeeStore).listVouchers(),
      x402: {
        earned: context.x402Ledger.list({ direction: 'earned' }),
        paid: context.x402Ledger.list({ direction: 'paid' }),
      },
    }),
    earned: async () => await payeeStore.listVouchers(),
    async register(options = {}) {
      alive()
      const { services } = context.state.identity
      // A service given again (the same name and endpoint) is listed once.
      for (const service of options.services ?? [])
        if (!services.some((s) => s.name === service.name && s.endpoint === service.endpoint))
          services.push(service)
      return syncRegistration(context)
    },
    get identity() {
      return context.state.identity.current
    },
    async giveFeedback(options) {
      alive()
      return giveFeedback(context, options)
    },
    async stake(amount, options) {
      alive()
      return stake(stakeClientOf(context), amount, options)
    },
    async unstake(amount, options) {
      alive()
      return unstake(stakeClientOf(context), amount, options)
    },
    async withdrawStake(options) {
      alive()
      return withdrawStake(stakeClientOf(context), options)
    },
    evidence: context.trust.evidence,
    trustStats: () => context.trust.stats(),
    async reportEquivocation(equivocation) {
      alive()
      return context.trust.report(equivocation)
    },
    stop: () => stopAgent(context),
  }
}
