import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi, paymentChannelsAbi } from '@gotong/contracts'
import { gotongDomain, type Voucher, voucherTypes } from '@gotong/core'
import { bytesToHex } from '@noble/hashes/utils'
import { encodeAbiParameters, keccak256, parseEventLogs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createVoucherDigester, recoverSigner } from '../src/index.js'

// The TypeScript voucher digest and signer rules must be exactly the contract's.
describe('vouchers against the PaymentChannels contract', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 2 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('digest equals hashVoucher on chain; a voucher signed in TypeScript is claimable', async () => {
    const { paymentChannels, gotongToken } = devnet.deployments!.contracts
    const [payer, payee] = devnet.accounts as [Devnet['accounts'][0], Devnet['accounts'][0]]
    const asPayer = createClients({
      rpcUrl: devnet.rpcUrl,
      chainId: 31337,
      privateKey: payer.privateKey,
    })
    const asPayee = createClients({
      rpcUrl: devnet.rpcUrl,
      chainId: 31337,
      privateKey: payee.privateKey,
    })
    const publicClient = asPayer.publicClient
    const send = async (hash: `0x${string}`) => publicClient.waitForTransactionReceipt({ hash })

    await send(
      await asPayer.walletClient!.writeContract({
        address: gotongToken,
        abi: gotongTokenAbi,
        functionName: 'approve',
        args: [paymentChannels, 1_000_000n],
      }),
    )
    const key = {
      payer: payer.address,
      payee: payee.address,
      token: gotongToken,
      challengePeriod: 60n,
      salt: `0x${'5a'.repeat(32)}`,
    } as const
    const opened = await send(
      await asPayer.walletClient!.writeContract({
        address: paymentChannels,
        abi: paymentChannelsAbi,
        functionName: 'open',
        args: [key, 1_000_000n],
      }),
    )
    const [openEvent] = parseEventLogs({
      abi: paymentChannelsAbi,
      logs: opened.logs,
      eventName: 'ChannelOpened',
    })
    const channelId = openEvent!.args.channelId
    // The id commits to the key; anyone holding the key computes it off chain.
    const keyParameter = paymentChannelsAbi.find(
      (item) => item.type === 'function' && item.name === 'channelIdOf',
    )!.inputs[0]!
    expect(
      keccak256(
        encodeAbiParameters(
          [{ type: 'uint256' }, { type: 'address' }, keyParameter],
          [31337n, paymentChannels, key],
        ),
      ),
    ).toBe(channelId)
    expect(
      await publicClient.readContract({
        address: paymentChannels,
        abi: paymentChannelsAbi,
        functionName: 'channelIdOf',
        args: [key],
      }),
    ).toBe(channelId)
    const voucher: Voucher = {
      channelId,
      cumulativeAmount: 15_000n,
      calls: 3n,
      termsHash: `0x${'ab'.repeat(32)}`,
      envelopeHash: `0x${'cd'.repeat(32)}`,
    }

    const { digest } = createVoucherDigester({ chainId: 31337, verifyingContract: paymentChannels })
    const onChain = await publicClient.readContract({
      address: paymentChannels,
      abi: paymentChannelsAbi,
      functionName: 'hashVoucher',
      args: [
        voucher.channelId,
        voucher.cumulativeAmount,
        voucher.calls,
        voucher.termsHash,
        voucher.envelopeHash,
      ],
    })
    expect(`0x${bytesToHex(digest(voucher))}`).toBe(onChain)

    const signature = await privateKeyToAccount(payer.privateKey).signTypedData({
      domain: gotongDomain({ chainId: 31337, verifyingContract: paymentChannels }),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: voucher,
    })
    expect(recoverSigner(digest(voucher), signature)).toBe(payer.address)

    const before = await publicClient.readContract({
      address: gotongToken,
      abi: gotongTokenAbi,
      functionName: 'balanceOf',
      args: [payee.address],
    })
    const claimed = await send(
      await asPayee.walletClient!.writeContract({
        address: paymentChannels,
        abi: paymentChannelsAbi,
        functionName: 'claim',
        args: [
          key,
          voucher.cumulativeAmount,
          voucher.calls,
          voucher.termsHash,
          voucher.envelopeHash,
          signature,
        ],
      }),
    )
    expect(claimed.status).toBe('success')
    const after = await publicClient.readContract({
      address: gotongToken,
      abi: gotongTokenAbi,
      functionName: 'balanceOf',
      args: [payee.address],
    })
    expect(after - before).toBe(15_000n)
  })
})
