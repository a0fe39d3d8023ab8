import {
  type CreateTransportClientParameters,
  createTransportClient,
  type TransportClient,
} from '../client/createTransportClient.js'
import type { Bus } from './createBus.js'

export type CreateBusClientParameters = Omit<CreateTransportClientParameters, 'send'> & {
  bus: Bus
}

/**
 * A transport client on an in-process bus: the same signed envelopes and checks as over HTTP.
 *
 * @example
 * const client = createBusClient({ bus, signer: account, chainId: 31337 })
 * const result = await client.request(peer, 'echo', { text: 'hi' })
 */
export function createBusClient(parameters: CreateBusClientParameters): TransportClient {
  return createTransportClient({ ...parameters, send: parameters.bus.send })
}
