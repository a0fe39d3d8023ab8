import type { agreementTypes } from '@gotong/core'
import type { Address, Hex, TypedDataDefinition } from 'viem'

/**
 * What signs an Agreement: an address and EIP-712 signing. A viem `LocalAccount`
 * (`privateKeyToAccount(key)`) is one; so is any wallet that can sign typed data.
 */
export type Signer = {
  address: Address
  signTypedData(parameters: TypedDataDefinition<typeof agreementTypes, 'Agreement'>): Promise<Hex>
}
