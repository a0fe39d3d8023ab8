import { BaseError } from '@gotong/core'
import {
  type Address,
  ContractFunctionRevertedError,
  HttpRequestError,
  TimeoutError,
  BaseError as ViemBaseError,
} from 'viem'
import {
  ChainReadError,
  DirectoryRevertedError,
  InvalidAccessPredicateError,
  NotToolCreatorError,
  ToolDeregisteredError,
  ToolNotFoundError,
  VersionNotFoundError,
} from '../errors.js'

/**
 * Turns a failed call or transaction into a typed error when the directory reverted with one
 * of the ERC's errors (decoded from the revert data, never from message text), or into a
 * {@link ChainReadError} when the node did not answer a read (a timeout or an HTTP failure). gotong
 * errors pass through; anything else (a node error) is returned unchanged.
 */
export function toDirectoryError(
  error: unknown,
  action: string,
  kind: 'read' | 'write' = 'read',
): unknown {
  if (error instanceof BaseError) return error
  if (!(error instanceof ViemBaseError)) return error
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(reverted instanceof ContractFunctionRevertedError)) {
    const unanswered = error.walk((e) => e instanceof TimeoutError || e instanceof HttpRequestError)
    // A write the node did not answer may still have been sent: only a read is safe to type so.
    return unanswered && kind === 'read' ? new ChainReadError(action, error) : error
  }
  const name = reverted.data?.errorName
  const args = (reverted.data?.args ?? []) as readonly unknown[]
  // The revert itself, not viem's multi-line account of the call: the cause keeps that.
  const options = {
    cause: error,
    details: `reverted with ${name ?? 'an unknown error'}(${args.map(String).join(', ')})`,
  }
  switch (name) {
    case 'ToolNotFound':
      return new ToolNotFoundError(args[0] as bigint, options)
    case 'ToolIsDeregistered':
      return new ToolDeregisteredError(args[0] as bigint, options)
    case 'NotToolCreator':
      return new NotToolCreatorError(args[0] as bigint, args[1] as Address, options)
    case 'VersionNotFound':
      return new VersionNotFoundError(args[0] as bigint, BigInt(args[1] as bigint), options)
    case 'InvalidAccessPredicate':
      return new InvalidAccessPredicateError(args[0] as Address, options)
    default:
      return new DirectoryRevertedError(action, name, options)
  }
}
