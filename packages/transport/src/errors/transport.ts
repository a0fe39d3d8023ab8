import { BaseError } from '@gotong/core'

/** A route registered twice on one server, or two servers with one address on one bus. */
export class TransportConflictError extends BaseError {
  override name = 'TransportConflictError'
  constructor(shortMessage: string) {
    super('TRANSPORT_CONFLICT', shortMessage)
  }
}

/** The caller's own `signal` aborted a request (a timeout is a `WireError` with `timeout`). */
export class RequestAbortedError extends BaseError {
  override name = 'RequestAbortedError'
  constructor(route: string, cause: unknown) {
    super('REQUEST_ABORTED', `The request to ${route} was aborted by the caller.`, { cause })
  }
}
