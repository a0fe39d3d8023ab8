import type { Network } from '@gotong/agent'
import type { UiServer } from '@gotong/ui'

/** `swarm --ui`: where to serve the view, and what to do once it is up and once the job is done. */
export type SwarmViewOptions = {
  port?: number
  /** The view is serving: print its URL, connect a viewer… The swarm starts after it resolves. */
  ready?: (ui: UiServer) => Promise<void> | void
  /** The job is done and the books are read; the swarm is stopped once this resolves. */
  afterJob?: (result: import('./runSwarm.js').SwarmResult) => Promise<void> | void
}

/** Starts the live view of a swarm on its devnet (agents are added as they start). */
export async function startSwarmView(
  network: Network,
  options: SwarmViewOptions,
): Promise<UiServer> {
  const { startUi } = await import('@gotong/ui')
  const ui = await startUi({
    network,
    ...(options.port !== undefined ? { port: options.port } : {}),
  })
  try {
    await options.ready?.(ui)
  } catch (error) {
    await ui.close()
    throw error
  }
  return ui
}

/** The URL in a ready-made agent's first line (`stats-provider 0x… at http://127.0.0.1:…`). */
export function urlOfReadyLine(line: string): string | undefined {
  return /^\S+ 0x[0-9a-fA-F]{40} at (https?:\/\/\S+)$/.exec(line.trim())?.[1]
}
