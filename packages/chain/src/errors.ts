import { BaseError } from '@gotong/core'

/** No anvil binary ships for this OS/CPU in @foundry-rs/anvil. */
export class AnvilBinaryMissingError extends BaseError {
  override name = 'AnvilBinaryMissingError'
  constructor(platform: string, cause?: unknown) {
    super('ANVIL_BINARY_MISSING', `No anvil binary is installed for ${platform}.`, {
      cause,
      metaMessages: [
        'The embedded devnet uses the anvil binary from @foundry-rs/anvil-<os>-<cpu>.',
        'Run `npm install` on this machine (optional dependencies must not be omitted), or start',
        'any EVM node yourself and pass its URL with --rpc.',
      ],
    })
  }
}

/** The requested devnet port is taken by another process. */
export class DevnetPortInUseError extends BaseError {
  override name = 'DevnetPortInUseError'
  constructor(port: number, cause?: unknown) {
    super('DEVNET_PORT_IN_USE', `Port ${port} on 127.0.0.1 is already in use.`, {
      cause,
      metaMessages: ['Stop whatever listens there, or omit the port to pick a free one.'],
    })
  }
}

/** anvil exited or stayed silent before it was ready. */
export class DevnetStartError extends BaseError {
  override name = 'DevnetStartError'
  constructor(reason: string, output: string, cause?: unknown) {
    super('DEVNET_START_FAILED', `The devnet did not start: ${reason}.`, {
      cause,
      details: output.trim().split('\n').slice(-8).join('\n') || undefined,
    })
  }
}

/** Nothing answered JSON-RPC at the URL. */
export class RpcUnreachableError extends BaseError {
  override name = 'RpcUnreachableError'
  constructor(rpcUrl: string, cause?: unknown) {
    super('RPC_UNREACHABLE', `No EVM node answered at ${rpcUrl}.`, {
      cause,
      metaMessages: ['Check the URL, or start a local devnet with `gotong devnet`.'],
    })
  }
}

/** A deployments file written for one chain was used with another. */
export class DeploymentsChainMismatchError extends BaseError {
  override name = 'DeploymentsChainMismatchError'
  constructor(expected: number, actual: number, source?: string) {
    super(
      'DEPLOYMENTS_CHAIN_MISMATCH',
      `The deployments${source ? ` in ${source}` : ''} are for chain ${expected}, but the node is chain ${actual}.`,
      {
        metaMessages: [
          'Use the deployments file written for this chain, or deploy with `deploy()`.',
        ],
      },
    )
  }
}

/** A deployments file that is missing, unreadable or not valid. */
export class DeploymentsInvalidError extends BaseError {
  override name = 'DeploymentsInvalidError'
  constructor(source: string, reason: string, cause?: unknown) {
    super('DEPLOYMENTS_INVALID', `Cannot use the deployments in ${source}: ${reason}.`, { cause })
  }
}

/** A contract did not deploy (the transaction reverted or no code landed). */
export class DeployFailedError extends BaseError {
  override name = 'DeployFailedError'
  constructor(contract: string, cause?: unknown) {
    super('DEPLOY_FAILED', `Deploying ${contract} failed.`, { cause })
  }
}
