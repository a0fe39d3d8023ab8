import {
  accessPassAbi,
  accessPassBytecode,
  alwaysDenyPredicateAbi,
  alwaysDenyPredicateBytecode,
  gotongTokenAbi,
  gotongTokenBytecode,
  paymentChannelsAbi,
  paymentChannelsBytecode,
  toolDirectoryAbi,
  toolDirectoryBytecode,
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
 * (write them with `writeDeployments` from `@gotong/chain/node`).
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
  for (const to of parameters.mint?.to ?? []) {
    const hash = await walletClient.writeContract({
      address: gotongToken,
      abi: gotongTokenAbi,
      functionName: 'mint',
      args: [to, parameters.mint?.amount ?? 0n],
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new DeployFailedError(`GotongToken.mint(${to})`)
  }
  return parseDeployments({
    version: 1,
    chainId: walletClient.chain.id,
    startBlock,
    contracts: { gotongToken, accessPass, toolDirectory, paymentChannels, alwaysDenyPredicate },
  })
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
