import type { Network, ServeOptions } from '@gotong/agent'
import { getChainId } from '@gotong/chain'
import { readDeployments } from '@gotong/chain/node'
import { parseWith } from '@gotong/core'
import type { Hex } from 'viem'
import { z } from 'zod'

/** The variables a ready-made agent reads when it runs alone. */
export const AgentEnv = z.object({
  /** JSON-RPC URL of a chain where gotong is deployed. */
  GOTONG_RPC_URL: z.url({ protocol: /^https?$/ }),
  /** Path of the deployments file (`gotong devnet` and `startDevnet()` write one). */
  GOTONG_DEPLOYMENTS: z.string().min(1),
  /** The agent's private key: 0x and 64 hex digits. */
  GOTONG_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'a private key: 0x and 64 hex digits')
    .transform((key) => key as Hex),
  /** Folder for the agent's state (default `.gotong/agents/<address>`). */
  GOTONG_STORE: z.string().min(1).optional(),
  /** Interface and port to serve on (default 127.0.0.1 and a free port). */
  GOTONG_HOST: z.string().min(1).optional(),
  GOTONG_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Each priced tool's x402 face: `on` (the default) or `off`. */
  GOTONG_X402: z.enum(['on', 'off']).optional(),
  /** An x402 facilitator service to settle through (default: the agent settles itself). */
  GOTONG_X402_FACILITATOR: z.url({ protocol: /^https?$/ }).optional(),
  /** A PostgreSQL payee ledger shared by replicas of this provider (default: `payee.sqlite`). */
  GOTONG_LEDGER_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** The URL consumers reach it at, when that is a balancer in front of its replicas. */
  GOTONG_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
})
export type AgentEnv = z.output<typeof AgentEnv>

/** What a ready-made agent needs to start: the chain, its key, and where to keep state and listen. */
export type AgentSetup = {
  network: Network
  account: Hex
  store?: string
  host?: string
  port?: number
  /** Whether every priced tool answers x402, and through which facilitator. */
  x402?: ServeOptions['x402']
  /**
   * `createAgent` parameters the variables set: the shared ledger (`GOTONG_LEDGER_URL`) and the
   * balancer's URL its listings name (`GOTONG_PUBLIC_URL`).
   */
  agent?: { ledger?: { url: string }; publicUrl?: string }
}

/**
 * Reads `GOTONG_RPC_URL`, `GOTONG_DEPLOYMENTS` and `GOTONG_PRIVATE_KEY` (and optionally
 * `GOTONG_STORE`, `GOTONG_HOST`, `GOTONG_PORT`, `GOTONG_X402`, `GOTONG_X402_FACILITATOR`,
 * `GOTONG_LEDGER_URL`, `GOTONG_PUBLIC_URL`), asks
 * the node for its chain id and checks the deployments file belongs to that chain.
 *
 * @throws InvalidInputError (a variable missing or malformed), RpcUnreachableError,
 *   DeploymentsInvalidError, DeploymentsChainMismatchError
 * @example const { network, account } = await readAgentEnv(process.env)
 */
export async function readAgentEnv(env: Record<string, string | undefined>): Promise<AgentSetup> {
  const parsed = parseWith(AgentEnv, env, 'environment')
  const chainId = await getChainId(parsed.GOTONG_RPC_URL)
  const deployments = await readDeployments(parsed.GOTONG_DEPLOYMENTS, { chainId })
  return {
    network: { rpcUrl: parsed.GOTONG_RPC_URL, chainId, deployments },
    account: parsed.GOTONG_PRIVATE_KEY,
    ...(parsed.GOTONG_STORE ? { store: parsed.GOTONG_STORE } : {}),
    ...(parsed.GOTONG_HOST ? { host: parsed.GOTONG_HOST } : {}),
    ...(parsed.GOTONG_PORT !== undefined ? { port: parsed.GOTONG_PORT } : {}),
    ...(parsed.GOTONG_LEDGER_URL || parsed.GOTONG_PUBLIC_URL
      ? {
          agent: {
            ...(parsed.GOTONG_LEDGER_URL ? { ledger: { url: parsed.GOTONG_LEDGER_URL } } : {}),
            ...(parsed.GOTONG_PUBLIC_URL ? { publicUrl: parsed.GOTONG_PUBLIC_URL } : {}),
          },
        }
      : {}),
    ...(parsed.GOTONG_X402 === 'off'
      ? { x402: false }
      : parsed.GOTONG_X402_FACILITATOR
        ? { x402: { facilitator: parsed.GOTONG_X402_FACILITATOR } }
        : {}),
  }
}
