import { gotongTokenAbi } from '@gotong/contracts'
import { createTestClient, http, parseEventLogs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createClients } from '../src/index.js'
import { type Devnet, startDevnet } from '../src/node/index.js'

// More accounts than deploy() sends mints at once (64), so several windows of them are checked.
const accounts = 70

describe('startDevnet with blockTime', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ accounts, blockTime: 1 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('funds every account, minted without waiting for each receipt', async () => {
    const token = devnet.deployments!.contracts.gotongToken
    const balanceOf = (address: `0x${string}`) =>
      devnet.publicClient.readContract({
        address: token,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [address],
      })
    const balances = await Promise.all(devnet.accounts.map((a) => balanceOf(a.address)))
    expect(balances).toHaveLength(accounts)
    expect(new Set(balances)).toEqual(new Set([10_000_000_000n]))
    const supply = await devnet.publicClient.readContract({
      address: token,
      abi: gotongTokenAbi,
      functionName: 'totalSupply',
    })
    expect(supply).toBe(10_000_000_000n * BigInt(accounts))
  })

  test('then mines on an interval: a transaction waits for the next block', async () => {
    const test = createTestClient({ mode: 'anvil', transport: http(devnet.rpcUrl) })
    expect(await test.getAutomine()).toBe(false)
    const [from, to] = devnet.accounts
    const { walletClient } = createClients({
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.chainId,
      account: privateKeyToAccount(from!.privateKey),
    })
    const hash = await walletClient!.writeContract({
      address: devnet.deployments!.contracts.gotongToken,
      abi: gotongTokenAbi,
      functionName: 'transfer',
      args: [to!.address, 1n],
    })
    const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
    const [transfer] = parseEventLogs({
      abi: gotongTokenAbi,
      eventName: 'Transfer',
      logs: receipt.logs,
    })
    expect(transfer?.args).toEqual({ from: from!.address, to: to!.address, value: 1n })
  })
})
