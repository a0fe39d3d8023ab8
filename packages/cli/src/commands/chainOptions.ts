import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Connection, connect } from '@gotong/chain'
import { readDeployments } from '@gotong/chain/node'
import { BaseError, formatAmount, parseCaip19 } from '@gotong/core'
import {
  createDirectoryIndex,
  createRemoteIndex,
  type DirectoryIndex,
} from '@gotong/directory/node'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { type Address, erc20Abi, getAddress, type Hex } from 'viem'
import { z } from 'zod'

/** Where `gotong devnet --port 8545 --deployments .gotong/deployments.json` puts a devnet. */
export const defaultRpcUrl = 'http://127.0.0.1:8545'
export const defaultDeploymentsFile = '.gotong/deployments.json'
/** Where the command line keeps its state (the directory index) unless `--store` says otherwise. */
export const defaultStateDir = '.gotong'

/** The chain and gotong deployment a command works against. */
export type NetworkOptions = { rpc: string; deployments: string }

/** Options of the directory commands that read the index (`search`, `tool`). */
export type ChainOptions = NetworkOptions & {
  store?: string
  index?: string
  indexUrl?: string
  json?: boolean
}

const rpcUrl = z.url({ protocol: /^https?$/ })

/** Commander parser for a JSON-RPC URL. */
export function parseRpcUrl(value: string): string {
  const result = rpcUrl.safeParse(value)
  if (!result.success) throw new InvalidArgumentError('expected an http(s) URL.')
  return result.data
}

/**
 * Adds `--rpc` and `--deployments`, which every command that touches the chain takes: the chain
 * and the gotong deployment on it (a local `gotong devnet` by default; `GOTONG_RPC_URL` and
 * `GOTONG_DEPLOYMENTS` override the defaults). A command that needs no chain passes `unused`
 * (why): it accepts them all the same, so one set of flags and variables serves every command,
 * and its help says they are not used.
 *
 * @example withNetworkOptions(new Command('receipts'), { unused: 'the ledger is read from the store' })
 */
export function withNetworkOptions(command: Command, { unused }: { unused?: string } = {}) {
  const note = unused ? ` (accepted, not used: ${unused})` : ''
  return command
    .addOption(
      new Option('--rpc <url>', `JSON-RPC URL of the chain${note}`)
        .env('GOTONG_RPC_URL')
        .default(defaultRpcUrl)
        .argParser(parseRpcUrl),
    )
    .addOption(
      new Option('--deployments <file>', `deployments file of gotong on that chain${note}`)
        .env('GOTONG_DEPLOYMENTS')
        .default(defaultDeploymentsFile),
    )
}

/**
 * Adds the network options, `--store` and `--index` (where the directory index is kept: under
 * `.gotong/` of the current folder by default, like every other state of the command line) and
 * `--json`.
 */
export function withChainOptions(command: Command): Command {
  return withNetworkOptions(command)
    .addOption(
      new Option(
        '--store <dir>',
        "folder of the command line's state (the directory index); .gotong by default",
      ).env('GOTONG_STORE'),
    )
    .option(
      '--index <file>',
      'directory index (SQLite); in --store by default, `:memory:` for none',
    )
    .addOption(
      new Option(
        '--index-url <url>',
        'shared directory index (`gotong indexer start`) instead of the SQLite one',
      )
        .env('GOTONG_INDEX_URL')
        .argParser(parseRpcUrl),
    )
    .option('--json', 'print JSON instead of text')
}

/** Adds `--key` (`--private-key`, or `GOTONG_PRIVATE_KEY`) for commands that sign. */
export function withSigner(command: Command): Command {
  return command.addOption(
    new Option('--key, --private-key <hex>', 'key of the publishing account')
      .env('GOTONG_PRIVATE_KEY')
      .argParser((value) => (value === '' ? undefined : parsePrivateKey(value))),
  )
}

/** A signing command was run without a key. */
export class PrivateKeyRequiredError extends BaseError {
  override name = 'PrivateKeyRequiredError'
  constructor() {
    super('PRIVATE_KEY_REQUIRED', 'Publishing needs the key of the publishing account.', {
      metaMessages: [
        'Pass --key 0x… or set GOTONG_PRIVATE_KEY (`gotong devnet` prints funded test keys).',
      ],
    })
  }
}

const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/)

/** Commander parser for a private key (32 bytes of hex). */
export function parsePrivateKey(value: string): Hex {
  if (!privateKey.safeParse(value).success)
    throw new InvalidArgumentError('expected a private key: 0x followed by 64 hex digits.')
  return value as Hex
}

/** Commander parser for an address. */
export function parseAddress(value: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value))
    throw new InvalidArgumentError('expected an address: 0x followed by 40 hex digits.')
  return getAddress(value)
}

/** Reads the deployments file and connects to the node, checking they belong together. */
export async function openChain(
  options: NetworkOptions & { privateKey?: string | undefined },
  needsSigner = false,
): Promise<Connection & { deploymentsFile: string }> {
  if (needsSigner && !options.privateKey) throw new PrivateKeyRequiredError()
  const deploymentsFile = resolve(options.deployments)
  const deployments = await readDeployments(deploymentsFile)
  const connection = await connect({
    rpcUrl: options.rpc,
    deployments,
    ...(options.privateKey ? { privateKey: parsePrivateKey(options.privateKey) } : {}),
  })
  return { ...connection, deploymentsFile }
}

/**
 * Opens the directory index kept for this chain and deployment (in `--store`, `.gotong/` by
 * default, wherever the deployments file is), or the shared one at `--index-url`, and brings
 * it up to date.
 */
export async function openIndex(
  chain: Connection & { deploymentsFile: string },
  options: ChainOptions,
): Promise<DirectoryIndex> {
  const { toolDirectory } = chain.deployments.contracts
  if (options.indexUrl) {
    const remote = createRemoteIndex({ url: options.indexUrl })
    await remote.sync()
    return remote
  }
  let store = options.index
  if (store === undefined) {
    const folder = resolve(options.store ?? defaultStateDir)
    mkdirSync(folder, { recursive: true })
    store = join(
      folder,
      `directory-${chain.deployments.chainId}-${toolDirectory.slice(2, 10).toLowerCase()}.sqlite`,
    )
  }
  const index = createDirectoryIndex({
    client: chain.publicClient,
    address: toolDirectory,
    fromBlock: chain.deployments.startBlock,
    store,
  })
  try {
    await index.sync()
  } catch (error) {
    index.close()
    throw error
  }
  return index
}

/** Decimals and symbol of a CAIP-19 ERC-20 asset on this chain, asked of the token and cached. */
export function createAssetBook(chain: Connection) {
  const cache = new Map<string, Promise<{ decimals: number; symbol: string } | undefined>>()
  const describe = (asset: string) => {
    let entry = cache.get(asset)
    if (!entry) {
      entry = (async () => {
        const parsed = parseCaip19(asset)
        if (
          parsed.namespace !== 'eip155' ||
          Number(parsed.reference) !== chain.chain.id ||
          parsed.assetNamespace !== 'erc20'
        )
          return undefined
        const token = { address: parsed.assetReference as Address, abi: erc20Abi } as const
        try {
          const [decimals, symbol] = await Promise.all([
            chain.publicClient.readContract({ ...token, functionName: 'decimals' }),
            chain.publicClient.readContract({ ...token, functionName: 'symbol' }),
          ])
          return { decimals, symbol }
        } catch {
          // Not an ERC-20 with metadata: amounts stay in base units.
          return undefined
        }
      })()
      cache.set(asset, entry)
    }
    return entry
  }
  return {
    describe,
    /** `0.002 gUSD`, or `2000 base units of <asset>` when the token is unknown. */
    async format(amount: bigint, asset: string): Promise<string> {
      const token = await describe(asset)
      return token
        ? `${formatAmount(amount, token.decimals)} ${token.symbol}`
        : `${amount} base units of ${asset}`
    },
  }
}

/** Writes a value as JSON (bigints as decimal strings) on one line. */
export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
  )
}
