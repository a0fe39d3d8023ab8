import { BaseError, formatAmount } from '@gotong/core'
import { type AgentSetup, readAgentEnv } from './readAgentEnv.js'
import type { RunningAgent } from './startProvider.js'

export type RunAloneOptions = {
  /** The agent's kind, printed first (`stats-provider`). */
  kind: string
  /** Variables to read (process.env by default). */
  env?: Record<string, string | undefined>
  /** Where to print (stdout by default). */
  print?: (line: string) => void
  /** Where to print failures (stderr by default). */
  printError?: (line: string) => void
  /** Stops the agent when aborted; by default SIGINT or SIGTERM. */
  signal?: AbortSignal
  /** Runs once the agent is up, before waiting for the stop signal. */
  afterStart?: (running: RunningAgent) => Promise<void> | void
}

/**
 * Runs a ready-made agent as a process: reads `GOTONG_*` variables, starts it, prints its
 * address, URL and served tools, and stays up until SIGINT or SIGTERM, then stops it cleanly.
 * Resolves with the exit code (1 when it could not start).
 *
 * @example
 * // bin/start.js of an agent package
 * process.exitCode = await runAlone(start, { kind: 'stats-provider' })
 */
export async function runAlone(
  start: (setup: AgentSetup) => Promise<RunningAgent>,
  options: RunAloneOptions,
): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`))
  const printError = options.printError ?? ((line: string) => process.stderr.write(`${line}\n`))
  let running: RunningAgent
  try {
    running = await start(await readAgentEnv(options.env ?? process.env))
  } catch (error) {
    printError(`${options.kind}: could not start.`)
    printError(error instanceof BaseError ? error.message : String(error))
    return 1
  }
  const { agent, served } = running
  print(`${options.kind} ${agent.address} at ${agent.url ?? '(serving nothing)'}`)
  for (const tool of served) {
    print(
      `  tool ${tool.toolId} ${tool.name} ${formatAmount(tool.price, 6)} gUSD/call ${tool.ref}${tool.accessPredicate ? ' (token-gated)' : ''}`,
    )
    if (tool.x402Url) print(`    x402 ${tool.x402Url}`)
  }
  const stopped = waitForStop(options.signal)
  try {
    await options.afterStart?.(running)
    if (!stopped.requested()) print('ready; SIGINT or SIGTERM stops it')
    await stopped.promise
  } catch (error) {
    printError(error instanceof BaseError ? error.message : String(error))
    await running.stop()
    stopped.dispose()
    return 1
  }
  stopped.dispose()
  print(`${options.kind}: stopping`)
  await running.stop()
  print(`${options.kind}: stopped`)
  return 0
}

function waitForStop(signal: AbortSignal | undefined) {
  let requested = false
  let resolve: () => void = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  const done = () => {
    requested = true
    resolve()
  }
  if (signal) {
    if (signal.aborted) done()
    signal.addEventListener('abort', done, { once: true })
    return { promise, requested: () => requested, dispose: () => {} }
  }
  process.once('SIGINT', done)
  process.once('SIGTERM', done)
  return {
    promise,
    requested: () => requested,
    dispose: () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
    },
  }
}
