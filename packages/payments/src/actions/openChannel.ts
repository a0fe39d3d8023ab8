import { gotongTokenAbi } from '@gotong/contracts'
import { type Address, type Hash, type Hex, hexToSignature, type PublicClient, toHex } from 'viem'
import { type ChannelKey, channelIdOf } from '../channel/channelKey.js'
import { type ChannelWallet, keyArg, sendChannelTx } from './internal.js'

export type OpenChannelParameters = {
  /** The PaymentChannels contract. */
  channels: Address
  payee: Address
  token: Address
  /** Base units. */
  deposit: bigint
  /** Seconds the payee has to claim after `startClose` (1 s to 30 days). */
  challengePeriod: number
  /** Tells channels with equal parameters apart; random by default. */
  salt?: Hex
  /**
   * `true` (default): one transaction with an EIP-2612 permit signed by the wallet;
   * `false`: an ERC-20 `approve` (if the allowance is short) and then `open`.
   */
  permit?: boolean
  /** Permit deadline in unix seconds (default: one hour from the latest block). */
  deadline?: bigint
}

export type OpenChannelReturnType = { channelId: Hex; key: ChannelKey; hash: Hash }

/**
 * Opens a channel from the wallet's account to `payee`, depositing `deposit` of `token`.
 *
 * @example
 * const { channelId, key } = await openChannel(wallet, publicClient, {
 *   channels, payee, token, deposit: 5_000_000n, challengePeriod: 3_600,
 * })
 */
export async function openChannel(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  parameters: OpenChannelParameters,
): Promise<OpenChannelReturnType> {
  const payer = wallet.account.address
  const key: ChannelKey = {
    payer,
    payee: parameters.payee,
    token: parameters.token,
    challengePeriod: parameters.challengePeriod,
    salt: (
      parameters.salt ?? toHex(crypto.getRandomValues(new Uint8Array(32)))
    ).toLowerCase() as Hex,
  }
  const chainId = await publicClient.getChainId()
  const what = `Opening a channel to ${parameters.payee}`
  let hash: Hash
  if (parameters.permit ?? true) {
    const [nonce, domain, block] = await Promise.all([
      publicClient.readContract({
        address: key.token,
        abi: gotongTokenAbi,
        functionName: 'nonces',
        args: [payer],
      }),
      publicClient.readContract({
        address: key.token,
        abi: gotongTokenAbi,
        functionName: 'eip712Domain',
      }),
      publicClient.getBlock(),
    ])
    const deadline = parameters.deadline ?? block.timestamp + 3_600n
    const signature = await wallet.signTypedData({
      account: wallet.account,
      domain: {
        name: domain[1],
        version: domain[2],
        chainId: domain[3],
        verifyingContract: domain[4],
      },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: {
        owner: payer,
        spender: parameters.channels,
        value: parameters.deposit,
        nonce,
        deadline,
      },
    })
    const { r, s, v } = hexToSignature(signature)
    ;({ hash } = await sendChannelTx(wallet, publicClient, {
      channels: parameters.channels,
      functionName: 'openWithPermit',
      args: [keyArg(key), parameters.deposit, deadline, Number(v), r, s],
      what,
    }))
  } else {
    await ensureAllowance(wallet, publicClient, key.token, parameters.channels, parameters.deposit)
    ;({ hash } = await sendChannelTx(wallet, publicClient, {
      channels: parameters.channels,
      functionName: 'open',
      args: [keyArg(key), parameters.deposit],
      what,
    }))
  }
  return { channelId: channelIdOf(key, { chainId, channels: parameters.channels }), key, hash }
}

/** Approves `spender` for `amount` if the current allowance is short. */
export async function ensureAllowance(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  token: Address,
  spender: Address,
  amount: bigint,
): Promise<void> {
  const allowance = await publicClient.readContract({
    address: token,
    abi: gotongTokenAbi,
    functionName: 'allowance',
    args: [wallet.account.address, spender],
  })
  if (allowance >= amount) return
  const hash = await wallet.writeContract({
    address: token,
    abi: gotongTokenAbi,
    functionName: 'approve',
    args: [spender, amount],
    account: wallet.account,
    chain: wallet.chain,
  })
  await publicClient.waitForTransactionReceipt({ hash })
}
