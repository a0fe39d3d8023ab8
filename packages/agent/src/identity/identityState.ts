import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AddressSchema, Uint256 } from '@gotong/core'
import type { AgentRegistrationFileInput, RegistrationService } from '@gotong/identity'
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import type { AgentIdentity, FeedbackOutcome } from './types.js'

/** A tool the registration file lists: its ERC-8257 reference, name and x402 URL. */
export type RegisteredTool = { ref: string; name: string; x402?: string | undefined }

/** What an agent keeps about its ERC-8004 identity and the feedback it owes. */
export type IdentityState = {
  /** The registration under way or done (agent id, owner), shared by concurrent callers. */
  registered: Promise<Registered> | undefined
  /** The identity as last written on chain. */
  current: AgentIdentity | undefined
  /** The URI the registry holds, as last read or written. */
  onChainUri: string | undefined
  /** The registration file served at the well-known path. */
  file: AgentRegistrationFileInput | undefined
  /** Tools served by this process, by reference. */
  tools: Map<string, RegisteredTool>
  /** Services added with `agent.register({ services })`, kept for later versions of the file. */
  services: z.input<typeof RegistrationService>[]
  /** URI updates, one at a time, each writing the newest file. */
  writes: Promise<unknown>
  /**
   * The ids of the tools this account registered, as the serve under way read them (its new
   * one added): taken by the registration file's next write instead of reading them again.
   */
  registeredTools: bigint[] | undefined
  /** Paid calls not yet rated, per channel, oldest first. */
  outcomes: Map<Hex, FeedbackOutcome[]>
  /** Feedback under way per channel, so a channel is never rated twice at once. */
  rating: Map<Hex, Promise<unknown>>
  /** Payees' agent ids, as found once (undefined: not registered). */
  agentIds: Map<string, Promise<bigint | undefined>>
}

/** An agent id and who owns it. */
export type Registered = { agentId: bigint; identityRegistry: Address; owner: Address }

/** A fresh identity state. */
export function createIdentityState(): IdentityState {
  return {
    registered: undefined,
    current: undefined,
    onChainUri: undefined,
    file: undefined,
    tools: new Map(),
    services: [],
    writes: Promise.resolve(),
    registeredTools: undefined,
    outcomes: new Map(),
    rating: new Map(),
    agentIds: new Map(),
  }
}

/** `identity.json` in the agent's store: its agent id, so a restart reuses it at once. */
const SavedIdentity = z.object({
  chainId: z.number().int(),
  identityRegistry: AddressSchema,
  agentId: Uint256,
})

/** The agent id saved for this chain and registry, if any. */
export function loadSavedIdentity(
  store: string,
  chainId: number,
  identityRegistry: Address,
): bigint | undefined {
  const file = join(store, 'identity.json')
  if (!existsSync(file)) return undefined
  try {
    const saved = SavedIdentity.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    if (!saved.success || saved.data.chainId !== chainId) return undefined
    if (saved.data.identityRegistry.toLowerCase() !== identityRegistry.toLowerCase())
      return undefined
    return saved.data.agentId
  } catch {
    // An unreadable file: the agent is found on chain by its owner instead.
    return undefined
  }
}

/** Saves the agent id for the next start. */
export function saveIdentity(
  store: string,
  saved: { chainId: number; identityRegistry: Address; agentId: bigint },
): void {
  writeFileSync(
    join(store, 'identity.json'),
    `${JSON.stringify({ ...saved, agentId: saved.agentId.toString() }, null, 2)}\n`,
  )
}
