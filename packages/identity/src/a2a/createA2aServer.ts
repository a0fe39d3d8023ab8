import { A2A_VERSION_HEADER, type AgentCard, Extensions, HTTP_EXTENSION_HEADER } from '@a2a-js/sdk'
import {
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  defaultServerCallContextBuilder,
  JsonRpcTransportHandler,
  type RequestHeaders,
  type TaskStore,
  UnauthenticatedUser,
  validateVersion,
} from '@a2a-js/sdk/server'
import { createTaskStore } from './createTaskStore.js'
import { type CreateToolExecutorParameters, createToolExecutor } from './createToolExecutor.js'
import type { PaymentTerms } from './gotongPayments.js'
import { readGotongPayments } from './readGotongPayments.js'

export type CreateA2aServerParameters = {
  /** The card (`buildAgentCard`): its skills and its gotong extension's terms are what is served. */
  card: AgentCard
  /** Serves a paid call; see {@link createToolExecutor}. */
  serve: CreateToolExecutorParameters['serve']
  now?: () => number
  /** Where tasks are kept (default: the newest 1,000 in memory, none listed). */
  taskStore?: TaskStore
}

/** A JSON-RPC reply: always status 200 with a JSON-RPC body, as A2A's JSON-RPC binding says. */
export type A2aReply = { headers: Record<string, string>; body: string }

export type A2aServer = {
  /** Answers one JSON-RPC request (its raw body and HTTP headers). */
  handle(body: string, headers: RequestHeaders): Promise<A2aReply>
  /** The card served now. */
  card(): AgentCard
  /** Serves `card` from now on (a tool published or changed); tasks under way are kept. */
  setCard(card: AgentCard): void
}

/**
 * A gotong agent's paid tools over A2A's JSON-RPC binding (v1.0: `SendMessage`, `GetTask`, …),
 * for any HTTP server: each tool the card's gotong extension lists is served through
 * {@link createToolExecutor} with its terms from the card, under `@a2a-js/sdk`'s own request
 * handler; the SDK's `DefaultRequestHandler` and `JsonRpcTransportHandler`
 * do the protocol, this adds the service parameters (`A2A-Version`, `A2A-Extensions`) its
 * Express adapter would. Streaming and push notifications are off. A task's event bus is not
 * kept alive after `input-required`: the paid follow-up starts a new run of the same task.
 *
 * @example const a2a = createA2aServer({ card, serve }); const reply = await a2a.handle(body, request.headers)
 */
export function createA2aServer(parameters: CreateA2aServerParameters): A2aServer {
  const taskStore = parameters.taskStore ?? createTaskStore()
  const buses = new DefaultExecutionEventBusManager()
  let card = parameters.card
  let terms = termsOf(card)
  const executor = createToolExecutor({
    termsOf: (toolId) => terms.get(toolId),
    serve: parameters.serve,
    ...(parameters.now ? { now: parameters.now } : {}),
  })
  const handlerFor = (next: AgentCard) =>
    new DefaultRequestHandler(
      next,
      taskStore,
      executor,
      buses,
      undefined,
      undefined,
      undefined,
      undefined,
      { keepBusAliveStates: [] },
    )
  let transport = new JsonRpcTransportHandler(handlerFor(card))
  return {
    async handle(body, headers) {
      const context = defaultServerCallContextBuilder({
        extensions: Extensions.parseServiceParameter(headerOf(headers, HTTP_EXTENSION_HEADER)),
        user: new UnauthenticatedUser(),
        headers,
        ...versionOf(headers),
      })
      let answer: unknown
      try {
        validateVersion(context.requestedVersion, card, 'JSONRPC')
        answer = await transport.handle(body, context)
      } catch (error) {
        answer = {
          jsonrpc: '2.0',
          id: idOf(body),
          error: JsonRpcTransportHandler.mapToJSONRPCError(error),
        }
      }
      if (isStream(answer)) answer = await refuseStream(answer, idOf(body))
      const activated = context.activatedExtensions
      return {
        headers: {
          'content-type': 'application/json',
          ...(activated?.length
            ? { [HTTP_EXTENSION_HEADER]: Extensions.toServiceParameter(activated) }
            : {}),
        },
        body: JSON.stringify(answer),
      }
    },
    card: () => card,
    setCard(next) {
      terms = termsOf(next)
      card = next
      transport = new JsonRpcTransportHandler(handlerFor(next))
    },
  }
}

/** Each listed tool's terms, with the contracts they are on. */
function termsOf(card: AgentCard): Map<string, PaymentTerms> {
  const { tools, ...contracts } = readGotongPayments(card)
  const { version: _, ...on } = contracts
  return new Map(tools.map((tool) => [tool.toolId, { ...tool, ...on }] as const))
}

function headerOf(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(',') : value
}

function versionOf(headers: RequestHeaders): { requestedVersion?: string } {
  const version = headerOf(headers, A2A_VERSION_HEADER)
  return version ? { requestedVersion: version } : {}
}

/** The request's JSON-RPC id, for an error reply made outside the SDK's handler. */
function idOf(body: string): string | number | null {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id
    return typeof id === 'string' || typeof id === 'number' ? id : null
  } catch {
    return null
  }
}

function isStream(value: unknown): value is AsyncGenerator<unknown> {
  return typeof (value as AsyncGenerator | null)?.[Symbol.asyncIterator] === 'function'
}

/**
 * The card says streaming is off, so the SDK refuses a streaming method on the stream's first
 * step (`UnsupportedOperationError`): that refusal is the reply.
 */
async function refuseStream(stream: AsyncGenerator<unknown>, id: string | number | null) {
  try {
    await stream.next()
  } catch (error) {
    return { jsonrpc: '2.0', id, error: JsonRpcTransportHandler.mapToJSONRPCError(error) }
  } finally {
    await stream.return(undefined)
  }
  return {
    jsonrpc: '2.0',
    id,
    error: { code: -32004, message: 'Streaming is not supported.' },
  }
}
