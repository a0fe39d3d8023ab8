import {
  accessPassAbi,
  accessPassBytecode,
  alwaysDenyPredicateAbi,
  alwaysDenyPredicateBytecode,
  gotongTokenAbi,
  gotongTokenBytecode,
  identityRegistryAbi,
  identityRegistryBytecode,
  paymentChannelsAbi,
  paymentChannelsBytecode,
  providerStakeAbi,
  providerStakeBytecode,
  receiptFeedbackGatewayAbi,
  receiptFeedbackGatewayBytecode,
  reputationRegistryAbi,
  reputationRegistryBytecode,
  toolDirectoryAbi,
  toolDirectoryBytecode,
  validationRegistryAbi,
  validationRegistryBytecode,
} from '@gotong/contracts'
import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'
import { type Deployments, parseDeployments } from './deployments.js'
import { DeployFailedError } from './errors.js'

/** Parameters of `deploy`. */
export type DeployParameters = {
  /** Signs and pays for the deployment; becomes the owner of the token and the passes. */
  walletClient: WalletClient<Transport, Chain, Account>
  publicClient: PublicClient
  /** Test tokens to mint right after deployment (devnets): amount in base units per address. */
  mint?: { to: readonly Address[]; amount: bigint } | undefined
  /** Metadata URI template of the access passes (ERC-1155 `{id}` substitution). */
  passUri?: string | undefined
  /**
   * ERC-8004 registries already on the chain (e.g. `canonicalErc8004Registries.mainnets`): they
   * are used as they are and only the receipt feedback gateway is deployed against them. By
   * default gotong deploys its own identity, reputation and validation registries.
   */
  erc8004?: Erc8004Registries | undefined
  /** Seconds ProviderStake holds stake asked back before it can be withdrawn (default 7 days). */
  stakeWithdrawalDelay?: number | undefined
}

/** How long stake asked back stays slashable by default: a week for consumers to report. */
export const defaultStakeWithdrawalDelay = 7 * 24 * 60 * 60

/** Existing ERC-8004 registries to build on; the validation registry is optional. */
export type Erc8004Registries = {
  identityRegistry: Address
  reputationRegistry: Address
  validationRegistry?: Address | undefined
}
export type DeployReturnType = Deployments
export type DeployErrorType = DeployFailedError

/** Token name and symbol the devnet token is deployed with. */
export const gotongTokenName = 'Gotong USD'
export const gotongTokenSymbol = 'gUSD'
/** Decimals of the gotong token: 6, so prices read like money. */
export const gotongTokenDecimals = 6

/**
 * Deploys every gotong contract to the wallet client's chain and returns the deployments
 * (write them with `writeDeployments` from `@gotong/chain/node`): the token, passes, tool
 * directory, payment channels and pause predicate, the ERC-8004 identity, reputation and
 * validation registries (unless `erc8004` names existing ones), the receipt feedback gateway and
 * the provider stake registry.
 *
 * @example
 * const deployments = await deploy({ walletClient, publicClient, mint: { to: [alice], amount: 10_000_000n } })
 */
export async function deploy(parameters: DeployParameters): Promise<DeployReturnType> {
  const { walletClient, publicClient } = parameters
  const owner = walletClient.account.address
  const startBlock = Number(await publicClient.getBlockNumber())
  const gotongToken = await deployOne(parameters, 'GotongToken', {
    abi: gotongTokenAbi,
    bytecode: gotongTokenBytecode,
    args: [gotongTokenName, gotongTokenSymbol, owner],
  })
  const accessPass = await deployOne(parameters, 'AccessPass', {
    abi: accessPassAbi,
    bytecode: accessPassBytecode,
    args: [parameters.passUri ?? 'https://gotong.dev/passes/{id}.json', owner],
  })
  const toolDirectory = await deployOne(parameters, 'ToolDirectory', {
    abi: toolDirectoryAbi,
    bytecode: toolDirectoryBytecode,
    args: [],
  })
  const paymentChannels = await deployOne(parameters, 'PaymentChannels', {
    abi: paymentChannelsAbi,
    bytecode: paymentChannelsBytecode,
    args: [],
  })
  const alwaysDenyPredicate = await deployOne(parameters, 'AlwaysDenyPredicate', {
    abi: alwaysDenyPredicateAbi,
    bytecode: alwaysDenyPredicateBytecode,
    args: [],
  })
  const registries = parameters.erc8004 ?? (await deployErc8004(parameters))
  // Reverts (RegistriesMismatch) when the reputation registry rates another identity registry.
  const receiptFeedbackGateway = await deployOne(parameters, 'ReceiptFeedbackGateway', {
    abi: receiptFeedbackGatewayAbi,
    bytecode: receiptFeedbackGatewayBytecode,
    args: [
      registries.identityRegistry,
      registries.reputationRegistry,
      paymentChannels,
      gotongToken,
      toolDirectory,
    ],
  })
  const providerStake = await deployOne(parameters, 'ProviderStake', {
    abi: providerStakeAbi,
    bytecode: providerStakeBytecode,
    args: [
      gotongToken,
      paymentChannels,
      BigInt(parameters.stakeWithdrawalDelay ?? defaultStakeWithdrawalDelay),
    ],
  })
  await mintAll(parameters, gotongToken)
  return parseDeployments({
    version: 1,
    chainId: walletClient.chain.id,
    startBlock,
    contracts: {
      gotongToken,
      accessPass,
      toolDirectory,
      paymentChannels,
      alwaysDenyPredicate,
      identityRegistry: registries.identityRegistry,
      reputationRegistry: registries.reputationRegistry,
      ...(registries.validationRegistry
        ? { validationRegistry: registries.validationRegistry }
        : {}),
      receiptFeedbackGateway,
      providerStake,
    },
  })
}

/** Mints sent at once at most: enough to keep anvil busy, few enough sockets. */
const mintWindow = 64

/**
 * Mints to every address of `mint` without waiting for each receipt: consecutive nonces sent a
 * window at a time (a chain takes them in nonce order whatever order they arrive in), then every
 * receipt checked. One mint and receipt after another cost a receipt poll each, about 25 s for a
 * devnet of 1,000 accounts.
 */
async function mintAll(parameters: DeployParameters, token: Address): Promise<void> {
  const { walletClient, publicClient, mint } = parameters
  const [first] = mint?.to ?? []
  if (!mint || first === undefined) return
  const account = walletClient.account
  const call = { address: token, abi: gotongTokenAbi, functionName: 'mint', account } as const
  const [nonce, estimated, fees] = await Promise.all([
    publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' }),
    publicClient.estimateContractGas({ ...call, args: [first, mint.amount] }),
    publicClient.estimateFeesPerGas(),
  ])
  // Estimated for the first address; another may cost a fresh storage slot more (20,000 gas).
  const gas = estimated + 25_000n
  const hashes = await inWindows(mint.to, (to, i) =>
    walletClient.writeContract({
      ...call,
      chain: walletClient.chain,
      args: [to, mint.amount],
      nonce: nonce + i,
      gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    }),
  ).catch((error: unknown) => {
    throw new DeployFailedError('GotongToken.mint', error)
  })
  await inWindows(hashes, async (hash, i) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new DeployFailedError(`GotongToken.mint(${mint.to[i]})`)
  })
}

/** Runs `fn` over `items` in order, at most {@link mintWindow} at a time. */
async function inWindows<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = []
  for (let start = 0; start < items.length; start += mintWindow)
    results.push(
      ...(await Promise.all(
        items.slice(start, start + mintWindow).map((item, i) => fn(item, start + i)),
      )),
    )
  return results
}

/** gotong's own ERC-8004 registries: identity first, the other two rate its agents. */
async function deployErc8004(parameters: DeployParameters): Promise<Erc8004Registries> {
  const identityRegistry = await deployOne(parameters, 'IdentityRegistry', {
    abi: identityRegistryAbi,
    bytecode: identityRegistryBytecode,
    args: [],
  })
  const reputationRegistry = await deployOne(parameters, 'ReputationRegistry', {
    abi: reputationRegistryAbi,
    bytecode: reputationRegistryBytecode,
    args: [identityRegistry],
  })
  const validationRegistry = await deployOne(parameters, 'ValidationRegistry', {
    abi: validationRegistryAbi,
    bytecode: validationRegistryBytecode,
    args: [identityRegistry],
  })
  return { identityRegistry, reputationRegistry, validationRegistry }
}

async function deployOne(
  { walletClient, publicClient }: DeployParameters,
  name: string,
  contract: { abi: Abi; bytecode: Hex; args: readonly unknown[] },
): Promise<Address> {
  try {
    const hash = await walletClient.deployContract(contract)
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !receipt.contractAddress)
      throw new DeployFailedError(name, new Error(`transaction ${hash} reverted`))
    return receipt.contractAddress
  } catch (error) {
    if (error instanceof DeployFailedError) throw error
    throw new DeployFailedError(name, error)
  }
}
