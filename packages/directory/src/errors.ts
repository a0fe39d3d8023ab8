import { BaseError } from '@gotong/core'
import type { Address, Hash } from 'viem'

/** No tool was ever registered under this id (ERC-8257 `ToolNotFound`). */
export class ToolNotFoundError extends BaseError {
  override name = 'ToolNotFoundError'
  readonly toolId: bigint
  constructor(toolId: bigint, options: { cause?: unknown; details?: string } = {}) {
    super('TOOL_NOT_FOUND', `No tool ${toolId} is registered in this directory.`, {
      ...options,
      metaMessages: ['Tool ids start at 1; `gotong search` lists the tools that exist.'],
    })
    this.toolId = toolId
  }
}

/** The tool was deregistered by its creator, for good (ERC-8257 `ToolIsDeregistered`). */
export class ToolDeregisteredError extends BaseError {
  override name = 'ToolDeregisteredError'
  readonly toolId: bigint
  constructor(toolId: bigint, options: { cause?: unknown; details?: string } = {}) {
    super('TOOL_DEREGISTERED', `Tool ${toolId} was deregistered by its creator.`, {
      ...options,
      metaMessages: ['Deregistration is permanent: the id is never reused.'],
    })
    this.toolId = toolId
  }
}

/** Only a tool's creator may change it (ERC-8257 `NotToolCreator`). */
export class NotToolCreatorError extends BaseError {
  override name = 'NotToolCreatorError'
  readonly toolId: bigint
  readonly caller: Address
  constructor(
    toolId: bigint,
    caller: Address,
    options: { cause?: unknown; details?: string } = {},
  ) {
    super('NOT_TOOL_CREATOR', `${caller} is not the creator of tool ${toolId}.`, {
      ...options,
      metaMessages: ['Only the account that registered a tool can update, gate or deregister it.'],
    })
    this.toolId = toolId
    this.caller = caller
  }
}

/** A pinned version that the tool never had. */
export class VersionNotFoundError extends BaseError {
  override name = 'VersionNotFoundError'
  readonly toolId: bigint
  readonly version: bigint
  constructor(
    toolId: bigint,
    version: bigint,
    options: { cause?: unknown; details?: string } = {},
  ) {
    super('VERSION_NOT_FOUND', `Tool ${toolId} has no version ${version}.`, options)
    this.toolId = toolId
    this.version = version
  }
}

/** The predicate claims ERC-165 but not `IAccessPredicate` (ERC-8257 `InvalidAccessPredicate`). */
export class InvalidAccessPredicateError extends BaseError {
  override name = 'InvalidAccessPredicateError'
  readonly predicate: Address
  constructor(predicate: Address, options: { cause?: unknown; details?: string } = {}) {
    super('INVALID_ACCESS_PREDICATE', `${predicate} is not an ERC-8257 access predicate.`, {
      ...options,
      metaMessages: ['It answers ERC-165 but does not advertise IAccessPredicate (0xbdf9dc18).'],
    })
    this.predicate = predicate
  }
}

/**
 * The account about to sign is not the one the document names: a manifest's `creatorAddress`
 * (ERC-8257 creator binding) or an agent card's `address`.
 */
export class AccountMismatchError extends BaseError {
  override name = 'AccountMismatchError'
  constructor(what: string, expected: string, actual: Address) {
    super(
      'ACCOUNT_MISMATCH',
      `The ${what} names ${expected}, but the signing account is ${actual}.`,
      {
        metaMessages: [
          'The directory binds a document to the account that publishes it; sign with that account,',
          'or change the document.',
        ],
      },
    )
  }
}

/** The canonical manifest is larger than the directory accepts in a log (64 KiB). */
export class ManifestTooLargeError extends BaseError {
  override name = 'ManifestTooLargeError'
  constructor(size: number, limit: number) {
    super('MANIFEST_TOO_LARGE', `The canonical manifest is ${size} bytes; at most ${limit} fit.`, {
      metaMessages: ['Shorten the description or the input and output schemas.'],
    })
  }
}

/** The directory reverted with an error this client has no dedicated class for. */
export class DirectoryRevertedError extends BaseError {
  override name = 'DirectoryRevertedError'
  /** The Solidity error's name (`InvalidMetadataURI`, `ManifestHashMismatch`, …), if decoded. */
  readonly errorName: string | undefined
  constructor(
    action: string,
    errorName: string | undefined,
    options: { cause?: unknown; details?: string } = {},
  ) {
    super(
      'DIRECTORY_REVERTED',
      `The directory refused ${action}${errorName ? ` (${errorName})` : ''}.`,
      options,
    )
    this.errorName = errorName
  }
}

/** A transaction was mined but reverted. */
export class TransactionRevertedError extends BaseError {
  override name = 'TransactionRevertedError'
  readonly transactionHash: Hash
  constructor(action: string, transactionHash: Hash) {
    super('TRANSACTION_REVERTED', `The transaction to ${action} reverted.`, {
      details: `transaction ${transactionHash}`,
    })
    this.transactionHash = transactionHash
  }
}

/** An index file that belongs to another chain, directory or start block. */
export class IndexMismatchError extends BaseError {
  override name = 'IndexMismatchError'
  constructor(store: string, key: string, stored: string, wanted: string) {
    super('INDEX_MISMATCH', `The index in ${store} was built for another ${key}.`, {
      details: `stored ${stored}, wanted ${wanted}`,
      metaMessages: ['Use another index file, or delete this one to rebuild it.'],
    })
  }
}

/** The node refused `eth_getLogs` even for a single block, or failed in another way. */
export class LogFetchError extends BaseError {
  override name = 'LogFetchError'
  constructor(fromBlock: bigint, toBlock: bigint, cause: unknown) {
    super(
      'LOG_FETCH_FAILED',
      `Could not read the directory's logs in blocks ${fromBlock}–${toBlock}.`,
      {
        cause,
      },
    )
  }
}

/** A manifest could not be fetched from its metadata URI (or was too large to accept). */
export class ManifestFetchError extends BaseError {
  override name = 'ManifestFetchError'
  /** True when the server sent more than the 64 KiB cap. */
  readonly oversized: boolean
  constructor(uri: string, reason: string, options: { cause?: unknown; oversized?: boolean } = {}) {
    super('MANIFEST_FETCH_FAILED', `Could not fetch the manifest at ${uri}: ${reason}.`, {
      cause: options.cause,
    })
    this.oversized = options.oversized ?? false
  }
}

/**
 * The node did not answer a read of the directory (a timeout, a refused connection, an HTTP
 * error). Nothing was changed on chain; the read may be retried.
 */
export class ChainReadError extends BaseError {
  override name = 'ChainReadError'
  constructor(action: string, cause: unknown) {
    super('CHAIN_READ_FAILED', `The chain did not answer while trying to ${action}.`, {
      cause,
      details: cause instanceof Error ? cause.message.split('\n')[0] : undefined,
      metaMessages: ['The read may be retried; is the RPC node up and not overloaded?'],
    })
  }
}

/** The shared index (the indexer's HTTP API) failed to answer, or answered nonsense. */
export class RemoteIndexError extends BaseError {
  override name = 'RemoteIndexError'
  /** The HTTP status, if the indexer answered at all. */
  readonly status: number | undefined
  constructor(url: string, reason: string, options: { cause?: unknown; status?: number } = {}) {
    super('REMOTE_INDEX_FAILED', `The index at ${url} ${reason}.`, { cause: options.cause })
    this.status = options.status
  }
}

/** The shared index did not reach the wanted block in time. */
export class IndexBehindError extends BaseError {
  override name = 'IndexBehindError'
  readonly block: bigint
  readonly wanted: bigint
  constructor(url: string, block: bigint, wanted: bigint, timeoutMs: number) {
    super(
      'INDEX_BEHIND',
      `The index at ${url} is at block ${block}, not ${wanted}, after ${timeoutMs} ms.`,
      {
        metaMessages: [
          'Is the indexer running, and is its RPC the same chain? `GET /status` shows its progress.',
        ],
      },
    )
    this.block = block
    this.wanted = wanted
  }
}
