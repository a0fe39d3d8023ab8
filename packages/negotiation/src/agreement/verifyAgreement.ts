import { type Agreement, agreementTypes, type gotongDomain } from '@gotong/core'
import { type Address, type Hex, isAddressEqual, recoverTypedDataAddress } from 'viem'

export type VerifyAgreementParameters = {
  agreement: Agreement
  domain: ReturnType<typeof gotongDomain>
  signature: Hex
  /** Who must have signed: `agreement.consumer` or `agreement.provider`. */
  signer: Address
}

/**
 * True when `signature` is `signer`'s EIP-712 signature over the agreement (secp256k1
 * recovery; smart-contract wallets are not checked). Malformed signatures are false.
 *
 * @example await verifyAgreement({ agreement, domain, signature, signer: agreement.provider })
 */
export async function verifyAgreement(parameters: VerifyAgreementParameters): Promise<boolean> {
  try {
    const recovered = await recoverTypedDataAddress({
      domain: parameters.domain,
      types: agreementTypes,
      primaryType: 'Agreement',
      message: parameters.agreement,
      signature: parameters.signature,
    })
    return isAddressEqual(recovered, parameters.signer)
  } catch {
    // viem throws on a signature that is not a curve point; to the caller it is simply invalid.
    return false
  }
}
