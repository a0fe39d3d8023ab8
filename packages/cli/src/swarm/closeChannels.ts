import type { Agent } from '@gotong/agent'
import { createClients } from '@gotong/chain'
import type { Devnet } from '@gotong/chain/node'
import { paymentChannelsAbi } from '@gotong/contracts'
import { BaseError } from '@gotong/core'
import { finalizeChannel, startCloseChannel } from '@gotong/payments/payer'
import type { Address, Hex } from 'viem'

const statuses = ['none', 'open', 'closing', 'closed'] as const

/** One channel after the close: what it held, what its provider was paid, what came back. */
export type ClosedChannel = {
  channelId: Hex
  provider: Address
  deposit: bigint
  paid: bigint
  refunded: bigint
  status: string
}

/**
 * Closes every channel the orchestrator funded: starts each close (the providers' watchers
 * claim the newest voucher when it starts), waits for every served call to be claimed, waits
 * out the challenge window and finalizes, so the rest goes back to the orchestrator.
 */
export async function closeChannels(parameters: {
  devnet: Devnet
  agent: Agent
  privateKey: Hex
  channelIds: readonly Hex[]
  log: (line: string) => void
}): Promise<ClosedChannel[]> {
  const { devnet, agent, channelIds, log } = parameters
  const channels = agent.network.deployments.contracts.paymentChannels
  const wallet = createClients({
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    privateKey: parameters.privateKey,
  })
  for (const channelId of channelIds) {
    const channel = agent.payer.getChannel(channelId)!
    await startCloseChannel(wallet.walletClient! as never, devnet.publicClient as never, {
      channels,
      key: channel.key,
    })
    agent.payer.updateChannel(channelId, { status: 'closing' })
    agent.events.emit({ type: 'channel.closing', channelId })
    log(`[orchestrator] closing channel ${short(channelId)}`)
  }
  const owed = new Map<Hex, bigint>()
  for (const v of agent.ledger().paid)
    if (v.status === 'served') owed.set(v.channelId, (owed.get(v.channelId) ?? 0n) + v.amount)
  const deadline = Date.now() + 30_000
  for (const channelId of channelIds) {
    for (;;) {
      const state = await readChannel(devnet, channels, channelId)
      if (state.claimed >= (owed.get(channelId) ?? 0n)) break
      if (Date.now() > deadline)
        throw new BaseError(
          'SWARM_UNCLAIMED',
          `Channel ${channelId} was not claimed by its provider within 30 s of the close.`,
        )
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  log('providers claimed every served call; waiting out the challenge window')
  await devnet.publicClient.request({
    method: 'evm_increaseTime' as never,
    params: [61] as never,
  })
  await devnet.publicClient.request({ method: 'evm_mine' as never })
  const closed: ClosedChannel[] = []
  for (const channelId of channelIds) {
    const channel = agent.payer.getChannel(channelId)!
    const { claimed } = await readChannel(devnet, channels, channelId)
    await finalizeChannel(wallet.walletClient! as never, devnet.publicClient as never, {
      channels,
      key: channel.key,
    })
    const after = await readChannel(devnet, channels, channelId)
    closed.push({
      channelId,
      provider: channel.key.payee,
      deposit: channel.deposit,
      paid: claimed,
      refunded: channel.deposit - claimed,
      status: after.status,
    })
    agent.payer.updateChannel(channelId, { status: 'closed' })
    agent.events.emit({
      type: 'channel.finalized',
      channelId,
      refunded: channel.deposit - claimed,
    })
  }
  return closed
}

async function readChannel(devnet: Devnet, channels: Address, channelId: Hex) {
  const c = await devnet.publicClient.readContract({
    address: channels,
    abi: paymentChannelsAbi,
    functionName: 'getChannel',
    args: [channelId],
  })
  return { claimed: c.claimed, deposit: c.deposit, status: statuses[c.status] ?? 'none' }
}

function short(hex: string): string {
  return `${hex.slice(0, 6)}…${hex.slice(-4)}`
}
