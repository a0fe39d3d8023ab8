import { join, resolve } from 'node:path'
import type { Network } from '@gotong/agent'
import { getChainId, gotongTokenDecimals } from '@gotong/chain'
import { readDeployments } from '@gotong/chain/node'
import { BaseError, type BaseErrorParameters, formatAmount, parseAmount } from '@gotong/core'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { parseRpcUrl, withNetworkOptions } from './chainOptions.js'

/** Options of the commands that act as an agent (`call`, `channels`, `receipts`, `agent`). */
export type AgentOptions = {
  rpc: string
  deployments: string
  privateKey?: Hex
  store?: string
  /** A shared directory index (`gotong indexer start`) instead of the agent's own. */
  indexUrl?: string
  json?: boolean
}

/** Codes of {@link CliError}: failures the command line itself detects. */
export type CliErrorCode =
  | 'PRIVATE_KEY_REQUIRED'
  | 'CHANNEL_NOT_FOUND'
  | 'CHANNEL_AMBIGUOUS'
  | 'CHANNEL_NOT_OPEN'
  | 'CHANNEL_NOT_CLOSING'
  | 'CHALLENGE_PERIOD_ACTIVE'
  | 'AGENT_UNKNOWN'
  | 'PRICE_TOO_HIGH'
  | 'BUDGET_EXCEEDED'
  | 'RAIL_UNSUPPORTED'
  | 'HOSTS_NEED_ROOT'
  | 'HOSTS_IP_FAILED'
  | 'HOSTS_POSTGRES_FAILED'
  | 'HOSTS_INDEXER_FAILED'
  | 'UNEXPECTED'

/**
 * A failure found by the command line, with what to do next as its hint line.
 *
 * @example throw new CliError('CHANNEL_NOT_FOUND', 'No channel 0x12…', 'Run `gotong channels`.')
 */
export class CliError extends BaseError {
  override name = 'CliError'
  declare readonly code: CliErrorCode
  constructor(
    code: CliErrorCode,
    shortMessage: string,
    hint: string,
    parameters: Omit<BaseErrorParameters, 'metaMessages'> = {},
  ) {
    super(code, shortMessage, { ...parameters, metaMessages: [hint] })
  }
}

/** Another package's error, same code and message, with a hint line added. */
class HintedError extends BaseError {
  constructor(error: BaseError, hint: string) {
    super(error.code, error.shortMessage, {
      cause: error,
      details: error.details,
      metaMessages: [hint],
    })
    this.name = error.name
  }
}

/** What to do next, for errors of other packages that do not say it themselves. */
const hints: Record<string, string> = {
  PRICE_TOO_HIGH: 'Raise --max-price, or find a cheaper tool with `gotong search --max-price`.',
  BUDGET_EXCEEDED: 'Raise --budget (gUSD this command may spend).',
  TOOL_NOT_FOUND: '`gotong search` lists the tools of the directory.',
  TOOL_DEREGISTERED: '`gotong search` lists the tools still registered.',
  TOOL_CHANGED: 'Check the new version with `gotong tool <id> --versions`, then call it again.',
  TOOL_UNAVAILABLE:
    'The provider did not answer: check its agent is running (`gotong tool <id>` shows its endpoint).',
  GATE_DENIED: 'The tool is token-gated: `gotong tool <id>` shows what to hold.',
  NEGOTIATION_FAILED:
    'The provider refused the terms or did not answer; `gotong tool <id>` shows its endpoint and price.',
  INPUT_INVALID: 'Fix --input to match the tool input schema (`gotong tool <id>` shows it).',
  CHANNEL_DEPOSIT_EXHAUSTED: 'Close the channel (`gotong channels close <id>`) and call again.',
  DEPLOYMENTS_INVALID:
    'Start a devnet with `gotong devnet` (it writes .gotong/deployments.json), or pass --deployments / GOTONG_DEPLOYMENTS.',
  AMOUNT_INVALID: 'gUSD amounts have at most 6 decimal places, e.g. 0.002.',
}

/** Turns anything thrown into a gotong error with a hint line where one helps. */
export function explain(error: unknown): unknown {
  if (!(error instanceof BaseError)) {
    // Commander's own errors exit through main's handler untouched.
    if (error instanceof Error && error.name === 'CommanderError') return error
    return new CliError(
      'UNEXPECTED',
      'The command failed unexpectedly.',
      'Run it again; if it fails the same way, report it with the details below.',
      { cause: error },
    )
  }
  if (error.metaMessages?.length) return error
  const hint = hints[error.code]
  return hint ? new HintedError(error, hint) : error
}

/** Wraps a command action so every failure leaves with its code, message and a hint. */
export function explained<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args)
    } catch (error) {
      throw explain(error)
    }
  }
}

const privateKey = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/)
  .transform((v) => v as Hex)
const gusd = z.string().regex(/^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$/)
const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{4,64}$/)
  .transform((v) => v.toLowerCase() as Hex)

/** Commander parser for a private key; an empty value (say, `GOTONG_PRIVATE_KEY=`) is none. */
export function parseKey(value: string): Hex | undefined {
  if (value === '') return undefined
  const result = privateKey.safeParse(value)
  if (!result.success)
    throw new InvalidArgumentError('expected a private key: 0x followed by 64 hex digits.')
  return result.data
}

/** Commander parser for a gUSD amount (`0.002`), returned in base units. */
export function parseGusd(value: string): bigint {
  if (!gusd.safeParse(value).success)
    throw new InvalidArgumentError('expected an amount in gUSD with at most 6 decimals, e.g. 0.01.')
  return parseAmount(value, gotongTokenDecimals)
}

/** Commander parser for a channel id, or a unique prefix of one (at least 0x and 4 hex digits). */
export function parseChannelId(value: string): Hex {
  const result = hex32.safeParse(value)
  if (!result.success)
    throw new InvalidArgumentError(
      'expected a channel id: 0x and 64 hex digits (or a unique prefix of one).',
    )
  return result.data
}

/** Commander parser for a whole number within bounds. */
export function parseWhole(min: number, max: number) {
  const schema = z.coerce.number().int().min(min).max(max)
  return (value: string): number => {
    const result = schema.safeParse(value)
    if (!result.success)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`)
    return result.data
  }
}

/** `0.002 gUSD` */
export const gusdText = (amount: bigint) => `${formatAmount(amount, gotongTokenDecimals)} gUSD`

/**
 * Adds `--rpc`, `--deployments` (a local `gotong devnet` by default; `GOTONG_RPC_URL`,
 * `GOTONG_DEPLOYMENTS`), `--key`/`--private-key` (`GOTONG_PRIVATE_KEY`), `--store`
 * (`GOTONG_STORE`), `--index-url` (`GOTONG_INDEX_URL`) and `--json`; `chain: false` leaves out the first two for offline commands.
 */
export function withAgentOptions(
  command: Command,
  { chain = true, json = true }: { chain?: boolean; json?: boolean } = {},
): Command {
  if (chain) withNetworkOptions(command)
  command
    .addOption(
      new Option('--key, --private-key <hex>', "the agent's private key")
        .env('GOTONG_PRIVATE_KEY')
        .argParser(parseKey),
    )
    .addOption(
      new Option(
        '--store <dir>',
        "folder of the agent's state (vouchers, channels); .gotong/agents/<address> by default",
      ).env('GOTONG_STORE'),
    )
    .addOption(indexUrlOption())
  return json ? command.option('--json', 'print JSON instead of text') : command
}

/** `--index-url` (`GOTONG_INDEX_URL`): a shared directory index instead of a local one. */
export function indexUrlOption(): Option {
  return new Option(
    '--index-url <url>',
    'shared directory index (`gotong indexer start`) instead of indexing the directory locally',
  )
    .env('GOTONG_INDEX_URL')
    .argParser(parseRpcUrl)
}

/** `createAgent`'s index option for `--index-url`: the shared index, or none (a local one). */
export const indexOf = (options: Pick<AgentOptions, 'indexUrl'>) =>
  options.indexUrl ? { index: { url: options.indexUrl } } : {}

/** The key, or an error saying how to give one. */
export function requireKey(options: Pick<AgentOptions, 'privateKey'>, doing: string): Hex {
  if (options.privateKey) return options.privateKey
  throw new CliError(
    'PRIVATE_KEY_REQUIRED',
    `${doing} needs the agent's private key.`,
    'Pass --key 0x… or set GOTONG_PRIVATE_KEY (`gotong devnet` prints funded test keys).',
  )
}

/** The agent's address, from its key. */
export const addressOf = (key: Hex): Address => privateKeyToAccount(key).address

/** The agent's state folder: `--store`, or `.gotong/agents/<address>` as `createAgent` uses. */
export function storeOf(
  options: Pick<AgentOptions, 'privateKey' | 'store'>,
  doing: string,
): { store: string; address?: Address } {
  if (options.store && !options.privateKey) return { store: resolve(options.store) }
  if (!options.privateKey)
    throw new CliError(
      'PRIVATE_KEY_REQUIRED',
      `${doing} needs the agent's key (its state is kept under its address) or its --store.`,
      'Pass --key 0x… (or set GOTONG_PRIVATE_KEY), or --store <dir> (GOTONG_STORE).',
    )
  const address = addressOf(options.privateKey)
  return {
    store: resolve(options.store ?? join('.gotong', 'agents', address.toLowerCase())),
    address,
  }
}

/** Reads the deployments file and checks it belongs to the chain at `--rpc`. */
export async function openNetwork(options: AgentOptions): Promise<Network> {
  const chainId = await getChainId(options.rpc)
  const deployments = await readDeployments(resolve(options.deployments), { chainId })
  return { rpcUrl: options.rpc, chainId, deployments }
}

/** Prints a value as one line of JSON (bigints as decimal strings). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))
}

/**
 * Progress on stderr for slow steps: a spinner on a terminal, one line per step otherwise,
 * nothing at all in `--json` mode.
 */
export function createProgress(enabled: boolean) {
  const tty = Boolean(process.stderr.isTTY)
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
  let current: string | undefined
  let frame = 0
  let timer: NodeJS.Timeout | undefined
  const finish = (mark: string) => {
    if (timer) clearInterval(timer)
    timer = undefined
    if (current !== undefined && tty) process.stderr.write(`\r\x1b[2K${mark} ${current}\n`)
    current = undefined
  }
  return {
    /** Starts a step (and ends the previous one). */
    step(text: string) {
      if (!enabled) return
      finish('✓')
      current = text
      if (!tty) {
        process.stderr.write(`… ${text}\n`)
        return
      }
      process.stderr.write(`${frames[0]} ${text}`)
      timer = setInterval(() => {
        frame = (frame + 1) % frames.length
        process.stderr.write(`\r\x1b[2K${frames[frame]} ${current}`)
      }, 80)
      timer.unref()
    },
    /** Ends the last step: `ok` false marks it failed. */
    done(ok = true) {
      if (enabled) finish(ok ? '✓' : '✗')
    },
  }
}
