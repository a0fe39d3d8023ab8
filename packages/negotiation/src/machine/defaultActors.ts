import type { Hex } from 'viem'
import { fromPromise } from 'xstate'
import type { SignAgreementParameters } from '../agreement/signAgreement.js'
import { type VerifyAgreementParameters, verifyAgreement } from '../agreement/verifyAgreement.js'
import { NegotiationError } from '../errors.js'

/** An actor the host must provide (I/O the machine cannot do itself): fails until it is. */
export function notProvided<TOutput, TInput>(machine: 'consumer' | 'provider', name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new NegotiationError(
      'ACTOR_NOT_PROVIDED',
      `The ${machine} machine needs a "${name}" actor`,
      { metaMessages: [`Provide it with ${machine}Machine.provide({ actors: { ... } }).`] },
    )
  })
}

/** The `sign` actor both machines need provided: the agreement's EIP-712 signature. */
export const signNotProvided = (machine: 'consumer' | 'provider') =>
  notProvided<Hex, SignAgreementParameters>(machine, 'sign')

/** Default `verify` actor of both machines: viem's recovery. */
export const verifyWithViem = fromPromise<boolean, VerifyAgreementParameters>(({ input }) =>
  verifyAgreement(input),
)
