import type { Agent } from '@gotong/agent'
import type { Listing } from '@gotong/directory/node'
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/server'
import type { Hex } from 'viem'
import type { GatewayConfig } from './gatewayConfig.js'
import type { Pins } from './pins.js'
import type { Spending } from './spending.js'

/** A directory tool also served as its own MCP tool. */
export type ExposedTool = {
  toolId: bigint
  /** Its MCP name: `<manifest name>_<tool id>`. */
  name: string
  /** The listing at its approved version: what is served. */
  listing: Listing
  /** Changed on chain since approved: not served until approved again. */
  withdrawn: boolean
}

/** One MCP server instance serving a connection (stdio) or a request (HTTP). */
export type LiveServer = {
  server: McpServer
  era: 'legacy' | 'modern'
  /** Its exposed tools' handles, by tool id. */
  tools: Map<string, RegisteredTool>
}

/** What the gateway's parts share. */
export type GatewayState = {
  agent: Agent
  config: GatewayConfig
  spending: Spending
  pins: Pins
  /** By tool id (decimal). */
  exposed: Map<string, ExposedTool>
  /** Tools whose pinned approval this process has handed to the agent. */
  approved: Map<string, Hex>
  /** Instances to tell when the tool list changes. */
  live: Set<LiveServer>
}
