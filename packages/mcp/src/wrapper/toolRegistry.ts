import type { Agent, ServedTool, ServeOptions } from '@gotong/agent'
import type { Hex } from 'viem'
import { McpWrapperError } from './errors.js'
import type { McpToolListing } from './listMcpTools.js'
import type { McpServerInfo, McpToolDefinition } from './schemas.js'
import {
  checkToolName,
  definitionHash,
  type McpGotongTool,
  type McpToolHandler,
  routeSlug,
  toGotongTool,
} from './toGotongTool.js'

/** Where a wrapped tool stands against what the MCP server lists now. */
export type McpToolState = 'serving' | 'changed' | 'removed'

/** What changed in the server's tool list, and what the wrapper did about it. */
export type McpToolChange =
  /** A published tool's definition changed: refused, or (`accepted`) published anew. */
  | { kind: 'changed'; name: string; previousHash: Hex; hash: Hex; accepted: false }
  | {
      kind: 'changed'
      name: string
      previousHash: Hex
      hash: Hex
      accepted: true
      manifestHash: Hex
    }
  /** A published tool is no longer listed: refused. */
  | { kind: 'removed'; name: string; previousHash: Hex }
  /** A refused tool is listed again exactly as published: served again. */
  | { kind: 'restored'; name: string; hash: Hex }
  /** A tool not served before: reported, or (`accepted`, priced, valid name) served. */
  | { kind: 'added'; name: string; hash: Hex; accepted: false; reason: string }
  | { kind: 'added'; name: string; hash: Hex; accepted: true; manifestHash: Hex }

/** A tool of the wrapped server that is priced and can be served. */
export type WrappedMcpTool = {
  readonly name: string
  /** The gotong tool to pass to `agent.serve(tool, { price })`. */
  readonly tool: McpGotongTool
  readonly price: bigint
  /** The hash of the MCP definition this tool was made from (and published with). */
  readonly toolHash: Hex
  readonly state: McpToolState
  /** The listing, once served through the wrapper's `serve`. */
  readonly served: ServedTool | undefined
}

type Entry = {
  -readonly [K in keyof WrappedMcpTool]: WrappedMcpTool[K]
} & {
  /** The definition published (and served while `state` is `serving`). */
  definition: McpToolDefinition
  /** What the server lists now; undefined once it no longer lists the tool. */
  listed: { definition: McpToolDefinition; hash: Hex } | undefined
  /** The changed hash last reported, so a change is reported once. */
  reportedHash: Hex | undefined
  /** A new version is being published. */
  busy: boolean
}

export type ToolRegistryParameters = {
  priceOf(name: string): bigint | undefined
  acceptChanges: boolean
  handlerFor(name: string): McpToolHandler
  onChange(change: McpToolChange): void
  onWarning(code: string, message: string, cause?: unknown): void
}

/**
 * The wrapper's book of tools: what was published from which definition, and how each new
 * listing compares. A changed or removed tool is refused until it is listed as published
 * again, or, with `acceptChanges`, until its new definition is published.
 *
 * @example
 * const registry = createToolRegistry({ priceOf, acceptChanges: false, handlerFor, onChange, onWarning })
 * registry.apply(await listMcpTools(client), { name: 'everything', version: '2.0.0' })
 */
export function createToolRegistry(parameters: ToolRegistryParameters) {
  const entries = new Map<string, Entry>()
  /** Hashes of listed tools that are not entries (unpriced, refused, new): reported once. */
  const others = new Map<string, Hex>()
  const unpriced: string[] = []
  const refused: { name: string | undefined; error: McpWrapperError }[] = []
  let server: McpServerInfo = { name: 'unknown', version: 'unknown' }
  let attached: { agent: Pick<Agent, 'serve'>; options: Omit<ServeOptions, 'price'> } | undefined
  let initial = true
  const tasks = new Set<Promise<void>>()

  const makeEntry = (definition: McpToolDefinition, price: bigint): Entry => ({
    name: definition.name,
    tool: toGotongTool(definition, server, parameters.handlerFor(definition.name)),
    price,
    toolHash: definitionHash(definition),
    state: 'serving',
    served: undefined,
    definition,
    listed: { definition, hash: definitionHash(definition) },
    reportedHash: undefined,
    busy: false,
  })

  /** Why a tool listed now cannot become an entry, or its price. */
  const admit = (definition: McpToolDefinition): bigint | McpWrapperError | string => {
    const invalid = checkToolName(definition.name)
    if (invalid) return invalid
    const slug = routeSlug(definition.name)
    const clash = [...entries.keys()].find((n) => n !== definition.name && routeSlug(n) === slug)
    if (clash)
      return new McpWrapperError(
        'MCP_TOOL_NAME_INVALID',
        `The MCP tool "${definition.name}" would be served on the route of "${clash}".`,
      )
    return parameters.priceOf(definition.name) ?? 'it has no price'
  }

  const track = (task: Promise<void>) => {
    tasks.add(task)
    void task.finally(() => tasks.delete(task))
  }

  /**
   * Publishes what the server lists until the chain has it: a listing that changes again (or
   * goes back) while a version is being published is published after it.
   */
  const publishChanges = (entry: Entry) => {
    const served = entry.served as ServedTool
    entry.busy = true
    const run = async () => {
      try {
        while (entry.listed && entry.listed.hash !== entry.toolHash) {
          const { definition, hash } = entry.listed
          const previousHash = entry.toolHash
          const tool = toGotongTool(definition, server, parameters.handlerFor(entry.name))
          const manifestHash = await served.update({
            description: tool.description,
            input: tool.input,
            output: tool.output,
            ...(tool.jsonSchema ? { jsonSchema: tool.jsonSchema } : {}),
            ...(tool.extensions ? { extensions: tool.extensions } : {}),
          })
          Object.assign(entry, { tool, definition, toolHash: hash })
          parameters.onChange({
            kind: 'changed',
            name: entry.name,
            previousHash,
            hash,
            accepted: true,
            manifestHash,
          })
        }
        if (entry.listed) entry.state = 'serving'
      } catch (error) {
        entry.reportedHash = undefined // tried again on the next listing
        parameters.onWarning(
          'MCP_PUBLISH_FAILED',
          `The new definition of "${entry.name}" could not be published; its calls stay refused.`,
          error,
        )
      } finally {
        entry.busy = false
      }
    }
    track(run())
  }

  const serveAdded = (definition: McpToolDefinition, price: bigint, hash: Hex) => {
    const { agent, options } = attached as NonNullable<typeof attached>
    // Not in the book (so refused) until it is published.
    const entry = makeEntry(definition, price)
    track(
      agent.serve(entry.tool, { ...options, price }).then(
        (served) => {
          if (others.get(entry.name) !== hash) return // changed again meanwhile: reported anew
          others.delete(entry.name)
          entries.set(entry.name, { ...entry, served })
          parameters.onChange({
            kind: 'added',
            name: entry.name,
            hash,
            accepted: true,
            manifestHash: served.manifestHash,
          })
        },
        (error) =>
          parameters.onWarning(
            'MCP_PUBLISH_FAILED',
            `"${entry.name}" could not be published.`,
            error,
          ),
      ),
    )
  }

  const added = (definition: McpToolDefinition, hash: Hex) => {
    if (others.get(definition.name) === hash) return
    others.set(definition.name, hash)
    const admitted = admit(definition)
    if (typeof admitted === 'bigint' && parameters.acceptChanges && attached)
      return serveAdded(definition, admitted, hash)
    const reason =
      typeof admitted === 'string'
        ? admitted
        : typeof admitted === 'bigint'
          ? 'changes are not accepted (acceptChanges is off)'
          : admitted.shortMessage
    parameters.onChange({ kind: 'added', name: definition.name, hash, accepted: false, reason })
    parameters.onWarning(
      'MCP_TOOL_ADDED',
      `The MCP server lists a new tool "${definition.name}"; it is not served: ${reason}.`,
    )
  }

  const changed = (entry: Entry, hash: Hex) => {
    if (entry.reportedHash === hash && entry.state === 'changed') return
    entry.state = 'changed'
    entry.reportedHash = hash
    if (parameters.acceptChanges && entry.served) return publishChanges(entry)
    const { name, toolHash: previousHash } = entry
    parameters.onChange({ kind: 'changed', name, previousHash, hash, accepted: false })
    parameters.onWarning(
      'MCP_TOOL_CHANGED',
      `The MCP tool "${name}" changed since it was published; its calls are refused until it is published again${
        parameters.acceptChanges
          ? ' (it was not served through serve(), so the wrapper cannot publish it)'
          : ''
      }.`,
    )
  }

  return {
    /** Compares a listing with the book: the first one fills it. */
    apply(listing: McpToolListing, info: McpServerInfo) {
      if (initial) server = info
      const listed = new Set<string>()
      for (const definition of listing.tools) {
        const hash = definitionHash(definition)
        listed.add(definition.name)
        const entry = entries.get(definition.name)
        if (initial) {
          const admitted = admit(definition)
          if (typeof admitted === 'bigint')
            entries.set(definition.name, makeEntry(definition, admitted))
          else {
            others.set(definition.name, hash)
            if (typeof admitted === 'string') unpriced.push(definition.name)
            else refused.push({ name: definition.name, error: admitted })
          }
        } else if (!entry) added(definition, hash)
        else {
          entry.listed = { definition, hash }
          if (entry.busy) continue // the publication under way catches up with the listing
          if (hash !== entry.toolHash) changed(entry, hash)
          else if (entry.state !== 'serving') {
            entry.state = 'serving'
            entry.reportedHash = undefined
            parameters.onChange({ kind: 'restored', name: entry.name, hash })
          }
        }
      }
      if (initial) refused.push(...listing.invalid)
      for (const entry of entries.values())
        if (!listed.has(entry.name) && entry.state !== 'removed') {
          entry.state = 'removed'
          entry.listed = undefined
          entry.reportedHash = undefined
          parameters.onChange({ kind: 'removed', name: entry.name, previousHash: entry.toolHash })
          parameters.onWarning(
            'MCP_TOOL_REMOVED',
            `The MCP tool "${entry.name}" is no longer listed; its calls are refused.`,
          )
        }
      initial = false
    },
    entry: (name: string) => entries.get(name) as Readonly<Entry> | undefined,
    get tools(): WrappedMcpTool[] {
      return [...entries.values()].map(({ name, tool, price, toolHash, state, served }) => ({
        name,
        tool,
        price,
        toolHash,
        state,
        served,
      }))
    },
    unpriced: unpriced as readonly string[],
    refused: refused as readonly { name: string | undefined; error: McpWrapperError }[],
    get server() {
      return server
    },
    /** Serves every tool on the agent and keeps the listings, to publish accepted changes. */
    async serve(agent: Pick<Agent, 'serve'>, options: Omit<ServeOptions, 'price'>) {
      attached = { agent, options }
      for (const entry of entries.values())
        entry.served ??= await agent.serve(entry.tool, { ...options, price: entry.price })
      return new Map(
        [...entries.values()].flatMap((e) => (e.served ? [[e.name, e.served] as const] : [])),
      )
    },
    /** Publications under way (accepted changes, new tools). */
    settled: () => Promise.allSettled([...tasks]),
  }
}
