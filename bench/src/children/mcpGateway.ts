/**
 * The stdio side of the mcp suite: what `gotong mcp` runs (an agent, and `serveMcp` on this
 * process's stdin and stdout), in its own process as an MCP host launches it. It is not the
 * command itself only so that its agent, like the suite's other paths, pays through one channel
 * for the whole run (`callsPerChannel`, which `gotong mcp` has no option for). Stops when its
 * stdin ends or on SIGTERM.
 */
import { createAgent, type Network } from '@gotong/agent'
import { type GatewayConfigInput, serveMcp } from '@gotong/mcp'
import type { Hex } from 'viem'

type Config = {
  network: Network
  key: Hex
  store: string
  callsPerChannel: string
  gateway: GatewayConfigInput
}

const config = JSON.parse(process.argv[2]!) as Config
const agent = await createAgent({
  account: config.key,
  network: config.network,
  store: config.store,
  callsPerChannel: BigInt(config.callsPerChannel),
})
const served = await serveMcp(agent, { config: config.gateway })
let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await served.close()
  await agent.stop()
  process.exit(0)
}
process.stdin.once('end', stop)
process.once('SIGTERM', stop)
