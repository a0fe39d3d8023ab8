import { type HttpListener, serveHttp } from '@gotong/transport/node'
import type { AgentContext } from './agentContext.js'

/**
 * Starts the agent's HTTP endpoint on first use, with what serving needs beside it: the
 * watcher that answers closes of its channels and, with a claim policy, the settle timer.
 */
export async function listen(agent: AgentContext): Promise<HttpListener> {
  const { parameters, settler, state } = agent
  if (state.listener) return state.listener
  state.listener = await serveHttp(agent.server, {
    ...(parameters.host ? { host: parameters.host } : {}),
    ...(parameters.port !== undefined ? { port: parameters.port } : {}),
    plain: (request, response) => {
      const url = request.url ?? '/'
      const end = url.indexOf('?')
      const handler = state.plainRoutes.get(end === -1 ? url : url.slice(0, end))
      if (!handler) return false
      handler(request, response)
      return true
    },
  })
  const stopWatching = await settler.watch({
    ...(parameters.watchIntervalMs !== undefined
      ? { pollingIntervalMs: parameters.watchIntervalMs }
      : {}),
    onWarning: agent.warn,
    onClaim: agent.report.claim,
  })
  // Stopped while the watcher started: it must not outlive the agent.
  if (state.stopped) stopWatching()
  else state.unwatch = stopWatching
  if (parameters.claimPolicy) {
    state.settleTimer = setInterval(() => {
      settler
        .settle()
        .then((claims) => claims.forEach(agent.report.claim))
        .catch(() => undefined)
    }, parameters.settleEveryMs ?? 1_000)
    state.settleTimer.unref()
  }
  return state.listener
}
