// The PaymentChannels calls a payer makes (PROTOCOL.md §10): open with an EIP-2612 permit in one
// transaction, and close (startClose, then finalize after the challenge period).
import assert from 'node:assert/strict'
import {
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  parseEventLogs,
  parseSignature,
  type TransactionReceipt,
  type WalletClient,
} from 'viem'
import { abi, type ChannelKey, channelIdOf, keyArg, typesOf } from './protocol.js'
import { randomHex } from './transport.js'

export type Chain = {
  publicClient: PublicClient
  wallet: WalletClient
  account: LocalAccount
  chainId: number
  channels: Address
}

/** Sends a PaymentChannels transaction and waits for its success. */
async function transact(
  chain: Chain,
  functionName: 'openWithPermit' | 'startClose' | 'finalize',
  args: readonly unknown[],
): Promise<TransactionReceipt> {
  const hash = await chain.wallet.writeContract({
    address: chain.channels,
    abi,
    functionName,
    args: args as never,
    account: chain.account,
    chain: chain.wallet.chain,
  })
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, 'success', `${functionName} ${hash}`)
  return receipt
}

/** Opens a channel to `payee` holding `deposit` of `token`: one transaction with a permit. */
export async function openWithPermit(
  chain: Chain,
  parameters: { payee: Address; token: Address; deposit: bigint; challengePeriod: number },
): Promise<{ key: ChannelKey; channelId: Hex; receipt: TransactionReceipt }> {
  const { publicClient, account } = chain
  const { token, deposit } = parameters
  const key: ChannelKey = {
    payer: account.address,
    payee: parameters.payee,
    token,
    challengePeriod: parameters.challengePeriod,
    salt: randomHex(32),
  }
  // The token's own EIP-712 domain (EIP-5267) and the owner's permit nonce.
  const [[, name, version, chainId, verifyingContract], nonce, block] = await Promise.all([
    publicClient.readContract({ address: token, abi, functionName: 'eip712Domain' }),
    publicClient.readContract({
      address: token,
      abi,
      functionName: 'nonces',
      args: [account.address],
    }),
    publicClient.getBlock(),
  ])
  const deadline = block.timestamp + 3_600n
  const permit = await account.signTypedData({
    domain: { name, version, chainId: Number(chainId), verifyingContract },
    types: typesOf('Permit'),
    primaryType: 'Permit',
    message: { owner: account.address, spender: chain.channels, value: deposit, nonce, deadline },
  })
  const { r, s, v } = parseSignature(permit)
  const receipt = await transact(chain, 'openWithPermit', [
    keyArg(key),
    deposit,
    deadline,
    Number(v),
    r,
    s,
  ])
  const channelId = channelIdOf(chain.chainId, chain.channels, key)
  const [opened] = parseEventLogs({ abi, eventName: 'ChannelOpened', logs: receipt.logs })
  assert.equal(opened?.args.channelId, channelId, 'ChannelOpened names the id we computed')
  const onChain = await publicClient.readContract({
    address: chain.channels,
    abi,
    functionName: 'channelIdOf',
    args: [keyArg(key)],
  })
  assert.equal(onChain, channelId, 'channelIdOf agrees')
  return { key, channelId, receipt }
}

/** The payer starts closing: the payee may claim until the channel is finalized. */
export const startClose = (chain: Chain, key: ChannelKey) =>
  transact(chain, 'startClose', [keyArg(key)])

/** After the challenge period: the rest goes back to the payer; returns `ChannelClosed`. */
export async function finalize(chain: Chain, key: ChannelKey) {
  const receipt = await transact(chain, 'finalize', [keyArg(key)])
  const [closed] = parseEventLogs({ abi, eventName: 'ChannelClosed', logs: receipt.logs })
  assert.ok(closed, 'ChannelClosed')
  return closed.args
}

/** The first `Claimed` of a channel, waiting for the payee's claim up to `timeoutMs`. */
export async function claimOf(chain: Chain, channelId: Hex, fromBlock: bigint, timeoutMs: number) {
  for (const giveUp = Date.now() + timeoutMs; ; ) {
    const [claimed] = await chain.publicClient.getContractEvents({
      address: chain.channels,
      abi,
      eventName: 'Claimed',
      args: { channelId },
      fromBlock,
    })
    if (claimed) return claimed.args
    assert.ok(Date.now() < giveUp, `no claim of ${channelId} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
