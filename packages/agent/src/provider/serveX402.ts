import { gotongTokenName } from '@gotong/chain'
import type { ToolManifest } from '@gotong/core'
import {
  createLocalFacilitator,
  createRemoteFacilitator,
  type FacilitatorClient,
} from '@gotong/x402'
import { createX402Provider, type X402Provider } from '@gotong/x402/node'
import type { AgentContext } from '../agent/agentContext.js'
import type { ServeOptions } from '../agent/types.js'
import type { Tool } from '../tool/defineTool.js'
import { typedDataSigner } from '../typedSigner.js'

/** gUSD's EIP-712 domain version (`version()`), which EIP-3009 authorizations are signed under. */
const gotongTokenVersion = '1'

/** Whether a tool is served over x402, and through which facilitator: `undefined` when not. */
export function x402OptionOf(
  options: Pick<ServeOptions, 'x402'>,
  price: bigint,
): { facilitator?: string } | undefined {
  if (options.x402 === false || price <= 0n) return undefined
  return typeof options.x402 === 'object' ? options.x402 : {}
}

export type ServeX402Parameters = {
  tool: Tool
  manifest: ToolManifest
  toolId: bigint
  /** The face's absolute URL (`<endpoint>/x402`). */
  url: string
  price: bigint
  facilitator: string | undefined
  gated: boolean
  timeoutMs: number
}

/**
 * Mounts a served tool's x402 face on the agent's endpoint (a plain path beside its signed
 * routes): paid with gUSD by EIP-3009, settled by the agent itself or by `facilitator`, before
 * the output leaves. Its calls go to the agent's x402 ledger and `onCall`.
 */
export function serveX402(agent: AgentContext, parameters: ServeX402Parameters): X402Provider {
  const { tool, toolId } = parameters
  const face = createX402Provider({
    tool,
    schemas: schemasOf(parameters.manifest),
    url: parameters.url,
    price: parameters.price,
    chainId: agent.chainId,
    asset: {
      address: agent.contracts.gotongToken,
      name: gotongTokenName,
      version: gotongTokenVersion,
    },
    payTo: agent.account.address,
    facilitator: facilitatorOf(agent, parameters.facilitator),
    ledger: agent.x402Ledger,
    publicClient: agent.publicClient,
    signer: typedDataSigner(agent.signer),
    receiptContract: agent.contracts.paymentChannels,
    timeoutMs: parameters.timeoutMs,
    ...(parameters.gated ? { gate: (caller) => agent.gate(toolId, caller) } : {}),
    now: agent.now,
    onCall: (event) =>
      agent.parameters.onCall?.({
        tool: tool.name,
        caller: event.caller,
        ok: event.ok,
        ...(event.code ? { code: event.code } : {}),
      }),
  })
  agent.state.plainRoutes.set(new URL(parameters.url).pathname, face.handle)
  return face
}

/** The schemas a manifest publishes, which the x402 face declares to x402's bazaar. */
export function schemasOf(manifest: ToolManifest) {
  return { input: manifest.inputs ?? {}, output: manifest.outputs ?? {} }
}

/** One facilitator per agent and URL: the agent itself (`local`) or a service. */
function facilitatorOf(agent: AgentContext, url: string | undefined): FacilitatorClient {
  agent.state.x402Facilitators ??= new Map()
  const key = url ?? 'local'
  let facilitator = agent.state.x402Facilitators.get(key)
  if (!facilitator) {
    facilitator = url
      ? createRemoteFacilitator(url)
      : createLocalFacilitator({
          publicClient: agent.publicClient,
          walletClient: agent.wallet,
          networks: [`eip155:${agent.chainId}`],
        })
    agent.state.x402Facilitators.set(key, facilitator)
  }
  return facilitator
}
