import { authorizationTypes } from '@x402/evm'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { guardedSigner } from '../src/consumer/guardedSigner.js'
import type { ChosenRequirement } from '../src/consumer/selectRequirement.js'

const payer = privateKeyToAccount(`0x${'11'.repeat(32)}`)
const gUSD = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const payTo = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const chosen: ChosenRequirement = {
  raw: {},
  x402Version: 2,
  network: 'eip155:31337',
  chainId: 31337,
  asset: gUSD,
  amount: 2_000n,
  payTo,
}
const nonce = `0x${'ab'.repeat(32)}` as Hex
const authorization = (
  changes: Record<string, unknown> = {},
  domain: Record<string, unknown> = {},
) => ({
  domain: { name: 'Gotong USD', version: '1', chainId: 31337, verifyingContract: gUSD, ...domain },
  types: authorizationTypes,
  primaryType: 'TransferWithAuthorization',
  message: {
    from: payer.address,
    to: payTo,
    value: 2_000n,
    validAfter: 0n,
    validBefore: 2n ** 40n,
    nonce,
    ...changes,
  },
})

describe('the signer x402’s exact client signs through', () => {
  test('signs the chosen authorization only after recording its nonce', async () => {
    const recorded: Hex[] = []
    const signer = guardedSigner(
      payer,
      () => chosen,
      ({ nonce }) => recorded.push(nonce),
    )
    expect(await signer.signTypedData(authorization())).toMatch(/^0x[0-9a-f]{130}$/)
    expect(recorded).toEqual([nonce])
  })

  test.each([
    ['another payee', authorization({ to: payer.address })],
    ['another amount', authorization({ value: 2_001n })],
    ['another payer', authorization({ from: payTo })],
    ['another asset', authorization({}, { verifyingContract: payTo })],
    ['another chain', authorization({}, { chainId: 1 })],
  ])('refuses %s, recording nothing', async (what, typed) => {
    const recorded: Hex[] = []
    const signer = guardedSigner(
      payer,
      () => chosen,
      ({ nonce }) => recorded.push(nonce),
    )
    const refused = await signer
      .signTypedData(typed)
      .catch((e: { code: string; shortMessage: string }) => e)
    expect(refused).toMatchObject({
      code: 'X402_RESPONSE_INVALID',
      shortMessage: `Refused to sign an authorization the policy did not choose (${what}).`,
    })
    expect(recorded).toEqual([])
  })

  test('refuses anything but an EIP-3009 transfer', async () => {
    const signer = guardedSigner(
      payer,
      () => chosen,
      () => {},
    )
    const permit = { ...authorization(), primaryType: 'Permit' }
    expect(await signer.signTypedData(permit).catch((e: { code: string }) => e.code)).toBe(
      'X402_RESPONSE_INVALID',
    )
  })
})
