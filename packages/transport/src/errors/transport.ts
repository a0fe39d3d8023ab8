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

/**
 * The connection to a peer closed before any byte of its reply arrived (`ECONNRESET`, a socket
 * closed under the request). `reusedSocket`: the request went out on a kept-alive connection,
 * the usual case (the peer closed it as idle while it was being reused). Clients resend such a
 * request once, freshly signed; it reaches a caller only inside an `unavailable` WireError.
 */
export class ConnectionResetError extends BaseError {
  override name = 'ConnectionResetError'
  readonly reusedSocket: boolean
  constructor(url: string, parameters: { reusedSocket: boolean; cause: unknown }) {
    super('CONNECTION_RESET', `The connection to ${url} closed before any reply.`, {
      cause: parameters.cause,
    })
    this.reusedSocket = parameters.reusedSocket
  }
}
