import { runAlone } from '@gotong/agent-runner'
import { start } from './start.js'

/**
 * Runs the text-provider as a process (see `runAlone` for the variables it reads).
 *
 * @example GOTONG_RPC_URL=… GOTONG_DEPLOYMENTS=… GOTONG_PRIVATE_KEY=… node agents/text-provider
 */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  process.exitCode = await runAlone(start, { kind: 'text-provider', env })
}
