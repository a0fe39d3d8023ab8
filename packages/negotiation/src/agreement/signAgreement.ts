import { type Agreement, agreementTypes, type gotongDomain } from '@gotong/core'
import type { Hex } from 'viem'
import type { Signer } from '../signer.js'

export type SignAgreementParameters = {
  agreement: Agreement
  domain: ReturnType<typeof gotongDomain>
}

/**
 * Signs an Agreement (EIP-712) with a Signer: the consumer's signature, or the provider's
 * countersignature.
 *
 * @example const signature = await signAgreement(account, { agreement, domain })
 */
export function signAgreement(signer: Signer, parameters: SignAgreementParameters): Promise<Hex> {
  return signer.signTypedData({
    domain: parameters.domain,
    types: agreementTypes,
    primaryType: 'Agreement',
    message: parameters.agreement,
  })
}
