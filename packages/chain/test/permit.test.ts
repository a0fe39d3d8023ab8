import { gotongTokenAbi } from '@gotong/contracts'
import { type Hex, parseSignature } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createClients } from '../src/index.js'
import { type Devnet, startDevnet } from '../src/node/index.js'

// EIP-2612 end to end on the devnet: the owner signs off-chain, a relayer submits the permit,
// the spender pulls the tokens. Balances and nonces are read back from the chain.
describe('GotongToken permit (EIP-2612)', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 3 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  const clientsFor = (i: number) =>
    createClients({
      rpcUrl: devnet.rpcUrl,
      chainId: 31337,
      privateKey: devnet.accounts[i]!.privateKey,
    })

  async function signPermit(value: bigint, deadline: bigint, spender: Hex, signerIndex = 0) {
    const { publicClient } = clientsFor(0)
    const token = devnet.deployments!.contracts.gotongToken
    const owner = privateKeyToAccount(devnet.accounts[signerIndex]!.privateKey)
    const nonce = await publicClient.readContract({
      address: token,
      abi: gotongTokenAbi,
      functionName: 'nonces',
      args: [devnet.accounts[0]!.address],
    })
    const signature = await owner.signTypedData({
      domain: { name: 'Gotong USD', version: '1', chainId: 31337, verifyingContract: token },
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
      message: { owner: devnet.accounts[0]!.address, spender, value, nonce, deadline },
    })
    return parseSignature(signature)
  }

  test('a signed permit sets the allowance; the spender pulls exactly that much', async () => {
    const token = devnet.deployments!.contracts.gotongToken
    const [owner, spender] = [devnet.accounts[0]!.address, devnet.accounts[1]!.address]
    const { publicClient, walletClient: relayer } = clientsFor(2)
    const { walletClient: spenderWallet } = clientsFor(1)
    const balance = (who: Hex) =>
      publicClient.readContract({
        address: token,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [who],
      })
    const [ownerBefore, spenderBefore] = [await balance(owner), await balance(spender)]
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600)
    const { v, r, s } = await signPermit(2_500_000n, deadline, spender)

    const permitHash = await relayer!.writeContract({
      address: token,
      abi: gotongTokenAbi,
      functionName: 'permit',
      args: [owner, spender, 2_500_000n, deadline, Number(v), r, s],
    })
    expect((await publicClient.waitForTransactionReceipt({ hash: permitHash })).status).toBe(
      'success',
    )
    expect(
      await publicClient.readContract({
        address: token,
        abi: gotongTokenAbi,
        functionName: 'allowance',
        args: [owner, spender],
      }),
    ).toBe(2_500_000n)
    expect(
      await publicClient.readContract({
        address: token,
        abi: gotongTokenAbi,
        functionName: 'nonces',
        args: [owner],
      }),
    ).toBe(1n)

    const pull = await spenderWallet!.writeContract({
      address: token,
      abi: gotongTokenAbi,
      functionName: 'transferFrom',
      args: [owner, spender, 2_500_000n],
    })
    await publicClient.waitForTransactionReceipt({ hash: pull })
    expect(await balance(owner)).toBe(ownerBefore - 2_500_000n)
    expect(await balance(spender)).toBe(spenderBefore + 2_500_000n)

    // The same signature cannot be used again: the nonce moved on.
    await expect(
      publicClient.simulateContract({
        account: devnet.accounts[2]!.address,
        address: token,
        abi: gotongTokenAbi,
        functionName: 'permit',
        args: [owner, spender, 2_500_000n, deadline, Number(v), r, s],
      }),
    ).rejects.toThrow(/ERC2612InvalidSigner/)
  })

  test('an expired permit and a permit signed by someone else are refused', async () => {
    const token = devnet.deployments!.contracts.gotongToken
    const { publicClient } = clientsFor(2)
    const [owner, spender] = [devnet.accounts[0]!.address, devnet.accounts[1]!.address]
    const block = await publicClient.getBlock()
    const expired = await signPermit(1n, block.timestamp - 1n, spender)
    await expect(
      publicClient.simulateContract({
        account: spender,
        address: token,
        abi: gotongTokenAbi,
        functionName: 'permit',
        args: [owner, spender, 1n, block.timestamp - 1n, Number(expired.v), expired.r, expired.s],
      }),
    ).rejects.toThrow(/ERC2612ExpiredSignature/)
    const deadline = block.timestamp + 3600n
    const forged = await signPermit(1n, deadline, spender, 1)
    await expect(
      publicClient.simulateContract({
        account: spender,
        address: token,
        abi: gotongTokenAbi,
        functionName: 'permit',
        args: [owner, spender, 1n, deadline, Number(forged.v), forged.r, forged.s],
      }),
    ).rejects.toThrow(/ERC2612InvalidSigner/)
  })
})
