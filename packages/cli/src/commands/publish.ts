import { readFile } from 'node:fs/promises'
import type { Connection } from '@gotong/chain'
import {
  alwaysDenyPredicateAbi,
  erc20MinBalancePredicateAbi,
  erc20MinBalancePredicateBytecode,
  erc721HoldingPredicateAbi,
  erc721HoldingPredicateBytecode,
  erc1155HoldingPredicateAbi,
  erc1155HoldingPredicateBytecode,
} from '@gotong/contracts'
import {
  BaseError,
  gotongChannelProtocol,
  gotongTermsKey,
  InvalidInputError,
  parseAmount,
  parseToolManifest,
  toCaip10,
  toErc20Caip19,
} from '@gotong/core'
import { publishTool, publishVersion, setAccess } from '@gotong/directory'
import { Command, InvalidArgumentError } from 'commander'
import { type Abi, type Address, encodeAbiParameters, getAddress, type Hex } from 'viem'
import {
  createAssetBook,
  type NetworkOptions,
  openChain,
  printJson,
  withNetworkOptions,
  withSigner,
} from './chainOptions.js'

/** A gate as given on the command line; addresses may be `pass` (AccessPass) or `token` (gUSD). */
export type GateSpec =
  | { kind: 'erc1155'; collection: string; tokenId: bigint; minimum: bigint }
  | { kind: 'erc721'; collection: string }
  | { kind: 'erc20'; token: string; minimum: string }
  | { kind: 'deny' }
  | { kind: 'predicate'; address: Address }

const address = '(0x[0-9a-fA-F]{40}|pass|token)'
const uint = '([0-9]{1,77})'
const gatePatterns = {
  erc1155: new RegExp(`^erc1155:${address}:${uint}:${uint}$`),
  erc721: new RegExp(`^erc721:${address}$`),
  erc20: new RegExp(`^erc20:${address}:([0-9]+(?:\\.[0-9]+)?)$`),
}

/** Commander parser for `--gate`. */
export function parseGate(value: string): GateSpec {
  const erc1155 = gatePatterns.erc1155.exec(value)
  if (erc1155) {
    const minimum = BigInt(erc1155[3]!)
    if (minimum === 0n) throw new InvalidArgumentError('the minimum must be at least 1.')
    return { kind: 'erc1155', collection: erc1155[1]!, tokenId: BigInt(erc1155[2]!), minimum }
  }
  const erc721 = gatePatterns.erc721.exec(value)
  if (erc721) return { kind: 'erc721', collection: erc721[1]! }
  const erc20 = gatePatterns.erc20.exec(value)
  if (erc20) return { kind: 'erc20', token: erc20[1]!, minimum: erc20[2]! }
  if (value === 'deny') return { kind: 'deny' }
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) return { kind: 'predicate', address: getAddress(value) }
  throw new InvalidArgumentError(
    'expected erc1155:ADDR:ID:MIN, erc721:ADDR, erc20:ADDR:MIN (in token units), deny, or a predicate address (ADDR may be `pass` or `token`).',
  )
}

/** The manifest file cannot be read. */
export class ManifestFileError extends BaseError {
  override name = 'ManifestFileError'
  constructor(file: string, cause: unknown) {
    super('MANIFEST_FILE_UNREADABLE', `Cannot read the manifest file ${file}.`, { cause })
  }
}

type PublishOptions = NetworkOptions & {
  json?: boolean
  privateKey?: string
  price?: string
  gate?: GateSpec
  tool?: string
  uri?: string
}

/**
 * `gotong publish <manifest.json>`: validates an ERC-8257 manifest and publishes it to the
 * directory, optionally setting its price and gating it behind a token.
 */
export function publishCommand(): Command {
  const command = new Command('publish')
    .description(
      'publish a tool manifest to the on-chain directory (fills in creatorAddress and, with --price, gotong pricing)',
    )
    .argument('<manifest>', 'manifest JSON file (ERC-8257 v1)')
    .option('--price <amount>', 'price per call in token units, e.g. 0.002 (gUSD by default)')
    .option(
      '--gate <spec>',
      'gate access: erc1155:ADDR:ID:MIN, erc721:ADDR, erc20:ADDR:MIN, deny, or a predicate address',
      parseGate,
    )
    .option('--tool <id>', 'publish as a new version of this tool')
    .option('--uri <url>', 'metadata URI (default: the well-known path on the endpoint origin)')
    .option('--json', 'print JSON instead of text')
  return withSigner(withNetworkOptions(command)).action(
    async (file: string, options: PublishOptions) => {
      const input = await loadManifest(file)
      const chain = await openChain(options, true)
      const wallet = chain.walletClient!
      const signer = wallet.account.address
      const assets = createAssetBook(chain)
      const manifest = await completeManifest(input, chain, signer, options.price, assets)
      // Refuse a bad manifest before deploying anything for it.
      parseToolManifest(manifest, { chainId: chain.chain.id })
      const gate = options.gate ? await deployGate(chain, options.gate, assets) : undefined
      if (gate?.hint && manifest.access === undefined)
        manifest.access = { logic: 'AND', requirements: [gate.hint] }
      const directory = chain.deployments.contracts.toolDirectory
      const uri = options.uri ? { metadataURI: options.uri } : {}
      let result: {
        toolId: bigint
        ref: string
        version: bigint
        manifestHash: Hex
        metadataURI: string
        transactionHash: Hex
      }
      if (options.tool) {
        result = await publishVersion(wallet, {
          address: directory,
          toolId: options.tool,
          manifest,
          ...uri,
        })
        if (gate)
          await setAccess(wallet, {
            address: directory,
            toolId: result.toolId,
            predicate: gate.predicate,
          })
      } else {
        result = await publishTool(wallet, {
          address: directory,
          manifest,
          accessPredicate: gate?.predicate ?? null,
          ...uri,
        })
      }
      const pricing = (manifest.pricing as { amount: string; asset: string }[] | undefined)?.[0]
      const summary = {
        toolId: result.toolId,
        ref: result.ref,
        version: result.version,
        manifestHash: result.manifestHash,
        metadataURI: result.metadataURI,
        price: pricing ? { amount: BigInt(pricing.amount), asset: pricing.asset } : null,
        accessPredicate: gate?.predicate ?? null,
        transactionHash: result.transactionHash,
      }
      if (options.json) return printJson(summary)
      const lines = [
        `Published tool ${result.toolId}, version ${result.version}`,
        `  ref        ${result.ref}`,
        `  manifest   ${result.manifestHash}`,
        `  uri        ${result.metadataURI}`,
        `  price      ${pricing ? `${await assets.format(BigInt(pricing.amount), pricing.asset)} per call` : 'none listed (free)'}`,
        `  access     ${gate ? `${gate.name} at ${gate.predicate}${gate.hint ? ` (${gate.hint.label})` : ''}` : 'open'}`,
        `  tx         ${result.transactionHash}`,
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
    },
  )
}

async function loadManifest(file: string): Promise<Record<string, unknown>> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (cause) {
    throw new ManifestFileError(file, cause)
  }
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    // Not JSON (or a byte-order mark): the manifest parser names the exact rule.
    parseToolManifest(bytes)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) parseToolManifest(value)
  return value as Record<string, unknown>
}

/**
 * Fills in what the command line knows: `creatorAddress` (the signer), and with `--price` the
 * amount of the first pricing entry, or, without pricing, gotong's channel entry in gUSD and
 * `dev.gotong.terms`.
 */
async function completeManifest(
  input: Record<string, unknown>,
  chain: Connection,
  signer: Address,
  price: string | undefined,
  assets: ReturnType<typeof createAssetBook>,
): Promise<Record<string, unknown>> {
  const manifest: Record<string, unknown> = { ...input }
  const chainId = chain.chain.id
  manifest.creatorAddress ??= signer.toLowerCase()
  if (price === undefined) return manifest
  const pricing = Array.isArray(manifest.pricing)
    ? (manifest.pricing as Record<string, unknown>[]).map((entry) => ({ ...entry }))
    : undefined
  const first = pricing?.[0]
  const asset =
    typeof first?.asset === 'string'
      ? first.asset
      : toErc20Caip19(chainId, chain.deployments.contracts.gotongToken)
  const token = await assets.describe(asset)
  if (!token)
    throw new InvalidInputError('--price', [
      {
        rule: 'unknown_decimals',
        path: 'pricing.0.asset',
        message: `${asset} is not an ERC-20 on this chain, so --price cannot be converted; write the amount in base units in the manifest`,
      },
    ])
  const amount = parseAmount(price, token.decimals).toString()
  if (first) {
    first.amount = amount
    manifest.pricing = pricing
  } else {
    manifest.pricing = [
      {
        amount,
        asset,
        recipient: toCaip10(chainId, signer),
        protocol: gotongChannelProtocol,
      },
    ]
    manifest[gotongTermsKey] ??= {
      version: 1,
      channels: toCaip10(chainId, chain.deployments.contracts.paymentChannels),
    }
  }
  return manifest
}

type Hint = { kind: Hex; data: Hex; label: string }

/** Deploys the predicate a gate needs (or uses the given one) and the manifest hint for it. */
async function deployGate(
  chain: Connection,
  gate: GateSpec,
  assets: ReturnType<typeof createAssetBook>,
): Promise<{ predicate: Address; name: string; hint: Hint | undefined }> {
  const { contracts } = chain.deployments
  const resolve = (value: string): Address =>
    value === 'pass'
      ? contracts.accessPass
      : value === 'token'
        ? contracts.gotongToken
        : getAddress(value)
  const deploy = async (abi: Abi, bytecode: Hex, args: readonly unknown[]) => {
    const wallet = chain.walletClient!
    const hash = await wallet.deployContract({ abi, bytecode, args })
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !receipt.contractAddress)
      throw new GateDeployError(gate.kind, hash)
    return getAddress(receipt.contractAddress)
  }
  switch (gate.kind) {
    case 'erc1155': {
      const collection = resolve(gate.collection)
      const predicate = await deploy(erc1155HoldingPredicateAbi, erc1155HoldingPredicateBytecode, [
        collection,
        gate.tokenId,
        gate.minimum,
      ])
      return {
        predicate,
        name: 'ERC1155HoldingPredicate',
        hint: {
          kind: '0xcb429230',
          data: encodeAbiParameters(
            [{ type: 'address' }, { type: 'uint256' }],
            [collection, gate.tokenId],
          ),
          label: `Hold at least ${gate.minimum} of token id ${gate.tokenId} of ERC-1155 collection ${collection.toLowerCase()}`,
        },
      }
    }
    case 'erc721': {
      const collection = resolve(gate.collection)
      const predicate = await deploy(erc721HoldingPredicateAbi, erc721HoldingPredicateBytecode, [
        collection,
      ])
      return {
        predicate,
        name: 'ERC721HoldingPredicate',
        hint: {
          kind: '0xbdf8c428',
          data: encodeAbiParameters([{ type: 'address' }], [collection]),
          label: `Hold any token of ERC-721 collection ${collection.toLowerCase()}`,
        },
      }
    }
    case 'erc20': {
      const token = resolve(gate.token)
      const described = await assets.describe(toErc20Caip19(chain.chain.id, token))
      if (!described)
        throw new InvalidInputError('--gate', [
          { rule: 'unknown_decimals', path: 'gate', message: `${token} is not an ERC-20 here` },
        ])
      const minimum = parseAmount(gate.minimum, described.decimals)
      const predicate = await deploy(
        erc20MinBalancePredicateAbi,
        erc20MinBalancePredicateBytecode,
        [token, minimum],
      )
      return {
        predicate,
        name: 'ERC20MinBalancePredicate',
        hint: {
          kind: '0x53aeebd0',
          data: encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [token, minimum]),
          label: `Hold at least ${minimum} base units of ERC-20 token ${token.toLowerCase()}`,
        },
      }
    }
    case 'deny':
      return {
        predicate: contracts.alwaysDenyPredicate,
        name: 'AlwaysDenyPredicate',
        hint: {
          kind: '0x3e9c155d',
          data: '0x',
          label: "Paused by the tool's creator: nobody has access",
        },
      }
    case 'predicate': {
      const name = await chain.publicClient
        .readContract({ address: gate.address, abi: alwaysDenyPredicateAbi, functionName: 'name' })
        .catch(() => 'predicate')
      return { predicate: gate.address, name, hint: undefined }
    }
  }
}

/** Deploying the predicate of `--gate` failed. */
export class GateDeployError extends BaseError {
  override name = 'GateDeployError'
  constructor(kind: string, hash: Hex) {
    super('GATE_DEPLOY_FAILED', `Deploying the ${kind} gate failed.`, {
      details: `transaction ${hash}`,
    })
  }
}
