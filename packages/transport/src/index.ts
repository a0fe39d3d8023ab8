export { type Bus, createBus, type Listener } from './bus/createBus.js'
export { type CreateBusClientParameters, createBusClient } from './bus/createBusClient.js'
export {
  type CreateHttpClientParameters,
  createHttpClient,
  type Peers,
} from './client/createHttpClient.js'
export {
  type CreateTransportClientParameters,
  createTransportClient,
  type RequestOptions,
  type Send,
  type TransportClient,
} from './client/createTransportClient.js'
export {
  createEnvelopeDigester,
  type EnvelopeDigester,
} from './envelope/createEnvelopeDigester.js'
export { recoverSigner, recoveryBackend } from './envelope/recoverSigner.js'
export {
  type BodyAttachment,
  type SignRequestParameters,
  signRequest,
} from './envelope/signRequest.js'
export {
  type BodyAuthentication,
  Envelope,
  type EnvelopeMessage,
  type EnvelopeTypedData,
  envelopeDomain,
  envelopeTypes,
  IdempotencyKey,
  Route,
  SignedRequest,
  type Signer,
} from './envelope/types.js'
export {
  ConnectionResetError,
  RequestAbortedError,
  TransportConflictError,
} from './errors/transport.js'
export { createHttpApp } from './http/createHttpApp.js'
export {
  type BodyVerifier,
  type CreateTransportServerParameters,
  createTransportServer,
  type Handler,
  type RequestContext,
  type TransportServer,
} from './server/createTransportServer.js'
export type { Reply } from './server/reply.js'
