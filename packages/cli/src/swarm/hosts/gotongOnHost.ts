import { parentDeathPrefix } from '@gotong/chain/node'
import type { SwarmHost } from './createHosts.js'

/**
 * The command line that runs this very `gotong` (the same node, loader flags such as tsx's under
 * tests, and script) with `args` on `host`, under the parent-death signal where Linux has it:
 * it dies with this process, and everything it starts with it.
 *
 * @example const [command, ...rest] = await gotongOnHost(host, ['indexer', 'start', …])
 */
export async function gotongOnHost(host: SwarmHost, args: readonly string[]): Promise<string[]> {
  return [
    ...(await parentDeathPrefix()),
    ...host.exec,
    process.execPath,
    ...process.execArgv,
    process.argv[1] ?? '',
    ...args,
  ]
}
