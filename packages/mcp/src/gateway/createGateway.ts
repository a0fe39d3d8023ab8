import { join } from 'node:path'
import { type Agent, fingerprintOf } from '@gotong/agent'
import { parseToolRef } from '@gotong/directory'
import { McpServer, type McpServerFactory } from '@modelcontextprotocol/server'
import type { Hex } from 'viem'
import { McpGatewayError } from '../errors.js'
import { registerExposed, resolveExposed, syncLiveServers } from './exposedTools.js'
import { GatewayConfig, type GatewayConfigInput } from './gatewayConfig.js'
import type { GatewayState, LiveServer } from './gatewayState.js'
import { registerGatewayTools } from './gatewayTools.js'
import { liveListing } from './payForCall.js'
import { pinApproval } from './pinApproval.js'
import { openPins } from './pins.js'
import { createSpending } from './spending.js'

export type CreateMcpGatewayOptions = {
  /** Limits, exposure and approvals: set by the operator, never by the model. */
  config?: GatewayConfigInput
  /** Where approved versions are pinned (default `<agent store>/mcp-pins.json`). */
  pinsFile?: string
  /** How often exposed tools are checked against the chain (default 2,000 ms). */
  watchIntervalMs?: number
  now?: () => number
  /** A tool withdrawn (changed on chain) or served again (approved again). */
  onChange?: (event: { toolId: bigint; name: string; withdrawn: boolean }) => void
}

/** The gateway: MCP server instances over one agent, its budgets and its pinned approvals. */
export type McpGateway = {
  /** Builds the MCP server for a connection (stdio) or a request (HTTP). */
  readonly factory: McpServerFactory
  /** The exposed directory tools, by MCP name: their tool ids and whether they are withdrawn. */
  exposed(): { name: string; toolId: bigint; withdrawn: boolean }[]
  /** Approves a tool's current version (pinning it), serving it again if it was withdrawn. */
  approve(tool: string | bigint): Promise<Hex>
  /** Checks exposed tools against the chain now (the watcher does this every interval). */
  refresh(): Promise<void>
  /**
   * Calls `listener` whenever an exposed tool is withdrawn or served again (stdio instances are
   * told directly; HTTP subscribers through this). Returns a function that stops it.
   */
  onToolsChanged(listener: () => void): () => void
  /** Stops watching. The agent is the caller's to stop. */
  close(): void
}

/**
 * A Model Context Protocol gateway to the gotong directory: any MCP client can search it
 * (`gotong_search`), make paid calls (`gotong_call`, or an exposed tool by name) and read what
 * it spent (`gotong_budget`). Money stays outside the model: budgets, a price cap, a payee
 * allowlist and the user's confirmation above a threshold are the operator's, and only the
 * approved version of a tool is ever called.
 *
 * @example
 * const gateway = await createMcpGateway(agent, { config: { sessionBudget: '1', expose: ['text'] } })
 * serveStdio(gateway.factory)
 */
export async function createMcpGateway(
  agent: Agent,
  options: CreateMcpGatewayOptions = {},
): Promise<McpGateway> {
  const parsed = GatewayConfig.safeParse(options.config ?? {})
  if (!parsed.success)
    throw new McpGatewayError('GATEWAY_CONFIG_INVALID', 'The gateway configuration is invalid.', {
      details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    })
  const config = parsed.data
  const state: GatewayState = {
    agent,
    config,
    spending: createSpending(agent, config, options.now),
    pins: openPins(options.pinsFile ?? join(agent.store, 'mcp-pins.json')),
    exposed: new Map(),
    approved: new Map(),
    live: new Set(),
  }
  const listeners = new Set<() => void>()
  for (const tool of config.approve ?? []) await approve(tool)
  for (const tool of await resolveExposed(state, config.expose ?? []))
    state.exposed.set(tool.toolId.toString(), tool)

  async function approve(tool: string | bigint): Promise<Hex> {
    const toolId = typeof tool === 'bigint' ? tool : parseToolRef(tool).toolId
    await agent.index.sync()
    const listing = await liveListing(state, toolId)
    state.pins.set(toolId, {
      manifestHash: listing.manifestHash,
      fingerprint: fingerprintOf(listing.manifest!),
    })
    await refresh()
    return listing.manifestHash
  }

  async function refresh(): Promise<void> {
    state.pins.reload()
    await agent.index.sync()
    let changed = false
    for (const tool of state.exposed.values()) {
      const listing = await liveListing(state, tool.toolId).catch(() => undefined)
      const withdrawn = !listing || (await pinApproval(state, listing)) === 'changed'
      if (listing && !withdrawn) tool.listing = listing
      if (withdrawn === tool.withdrawn) continue
      tool.withdrawn = withdrawn
      changed = true
      options.onChange?.({ toolId: tool.toolId, name: tool.name, withdrawn })
    }
    if (!changed) return
    syncLiveServers(state)
    for (const listener of listeners) listener()
  }

  const factory: McpServerFactory = ({ era }) => {
    const server = new McpServer({ name: 'gotong', version: '0.1.0' })
    const live: LiveServer = { server, era, tools: new Map() }
    registerGatewayTools(state, server, era)
    for (const tool of state.exposed.values())
      if (!tool.withdrawn) registerExposed(state, live, tool)
    state.live.add(live)
    server.server.onclose = () => {
      state.live.delete(live)
    }
    return server
  }

  let refreshing = false
  const timer = setInterval(() => {
    if (refreshing) return
    refreshing = true
    refresh()
      .catch(() => undefined)
      .finally(() => {
        refreshing = false
      })
  }, options.watchIntervalMs ?? 2_000)
  timer.unref()

  return {
    factory,
    exposed: () =>
      [...state.exposed.values()].map(({ name, toolId, withdrawn }) => ({
        name,
        toolId,
        withdrawn,
      })),
    approve,
    refresh,
    onToolsChanged(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: () => clearInterval(timer),
  }
}
