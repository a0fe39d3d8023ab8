import { BaseError } from '@gotong/core'
import { type Address, ContractFunctionRevertedError, BaseError as ViemBaseError } from 'viem'
import {
  DirectoryRevertedError,
  InvalidAccessPredicateError,
  NotToolCreatorError,
  ToolDeregisteredError,
  ToolNotFoundError,
  VersionNotFoundError,
} from '../errors.js'

/**
 * Turns a failed call or transaction into a typed error when the directory reverted with one
 * of the ERC's errors (decoded from the revert data, never from message text). gotong errors
 * pass through; anything else (a network failure, a node error) is returned unchanged.
 */
export function toDirectoryError(error: unknown, action: string): unknown {
  if (error instanceof BaseError) return error
  if (!(error instanceof ViemBaseError)) return error
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(reverted instanceof ContractFunctionRevertedError)) return error
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
