import type { ClientEvmSigner } from '@x402/evm'
import { type Address, getAddress, type Hex } from 'viem'
import { X402PaymentError } from './errors.js'
import type { ChosenRequirement } from './selectRequirement.js'

/** Signs EIP-712 typed data: a viem `LocalAccount`, or anything with its `signTypedData`. */
export type TypedDataAccount = {
  readonly address: Address
  signTypedData(parameters: never): Promise<Hex>
}

/**
 * x402's exact client signs through this: it signs one EIP-3009 `TransferWithAuthorization`
 * and only the one the policy chose (this chain, this asset, this payee, this amount, from this
 * account). `beforeSigning` gets the authorization's nonce first, so the payment is on record
 * before a signature exists; if it throws, nothing is signed.
 */
export function guardedSigner(
  account: TypedDataAccount,
  chosen: () => ChosenRequirement | undefined,
  beforeSigning: (authorization: { nonce: Hex; validBefore: bigint }) => void,
): ClientEvmSigner {
  return {
    address: account.address,
    async signTypedData(typed) {
      const expected = chosen()
      const domain = typed.domain as { chainId?: unknown; verifyingContract?: unknown }
      const message = typed.message as Record<string, unknown>
      const mismatch = !expected
        ? 'no offer was chosen'
        : typed.primaryType !== 'TransferWithAuthorization'
          ? `it is a ${typed.primaryType}, not an EIP-3009 transfer`
          : Number(domain.chainId) !== expected.chainId
            ? 'another chain'
            : !sameAddress(domain.verifyingContract, expected.asset)
              ? 'another asset'
              : !sameAddress(message.from, account.address)
                ? 'another payer'
                : !sameAddress(message.to, expected.payTo)
                  ? 'another payee'
                  : BigInt(String(message.value)) !== expected.amount
                    ? 'another amount'
                    : undefined
      if (mismatch)
        throw new X402PaymentError(
          'X402_RESPONSE_INVALID',
          `Refused to sign an authorization the policy did not choose (${mismatch}).`,
        )
      beforeSigning({
        nonce: message.nonce as Hex,
        validBefore: BigInt(String(message.validBefore)),
      })
      return account.signTypedData(typed as never)
    },
  }
}

function sameAddress(value: unknown, address: Address): boolean {
  try {
    return typeof value === 'string' && getAddress(value) === address
  } catch {
    return false
  }
}
