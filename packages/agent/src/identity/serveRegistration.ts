import { agentRegistrationPath } from '@gotong/identity'
import type { AgentContext, PlainHandler } from '../agent/agentContext.js'

/**
 * Serves the agent's registration file at its endpoint (`GET /`) and at ERC-8004's well-known
 * path, where a client proves the endpoint's domain is the agent's.
 */
export function serveRegistration(agent: AgentContext): void {
  const { plainRoutes } = agent.state
  if (plainRoutes.has(agentRegistrationPath)) return
  const handler: PlainHandler = (request, response) => {
    const file = agent.state.identity.file
    if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({
          error: { code: 404, reason: 'not_found', message: 'Not found.' },
        }),
      )
      return
    }
    const body = JSON.stringify(file)
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-cache',
    })
    response.end(request.method === 'HEAD' ? undefined : body)
  }
  plainRoutes.set(agentRegistrationPath, handler)
  plainRoutes.set('/', handler)
}
