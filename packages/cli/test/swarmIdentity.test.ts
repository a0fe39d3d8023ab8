import { createPublicClient, http, parseAbi, recoverTypedDataAddress } from 'viem'
import { beforeAll, describe, expect, test, vi } from 'vitest'
import { runSwarm } from '../src/swarm/runSwarm.js'

// An ERC-8004 client written from the ERC's text (ethereum/ERCs, ERCS/erc-8004.md) and
// PROTOCOL.md's receipt type: none of gotong's ABIs or helpers.
const identityAbi = parseAbi([
  'function tokenURI(uint256 tokenId) view returns (string)',
  'function getAgentWallet(uint256 agentId) view returns (address)',
])
const reputationAbi = parseAbi([
  'function getSummary(uint256 agentId, address[] clientAddresses, string tag1, string tag2) view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)',
])
const receiptTypes = {
  Receipt: [
    { name: 'termsHash', type: 'bytes32' },
    { name: 'channelId', type: 'bytes32' },
    { name: 'calls', type: 'uint64' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'requestHash', type: 'bytes32' },
    { name: 'responseHash', type: 'bytes32' },
    { name: 'servedAt', type: 'uint64' },
  ],
} as const

type RegistrationFile = {
  type: string
  name: string
  services: { name: string; endpoint: string }[]
  registrations: { agentId: number; agentRegistry: string }[]
  supportedTrust: string[]
}

// The deterministic planner, whatever this machine's environment says.
beforeAll(() => {
  vi.stubEnv('OPENAI_API_KEY', '')
  vi.stubEnv('OPENAI_BASE_URL', '')
})

describe('the swarm on ERC-8004', () => {
  test("every provider is a registered agent whose wallet signs its receipts; the paid summary is the swarm's paid calls", async () => {
    let checked = 0
    const result = await runSwarm({
      agents: 5,
      processes: false,
      log: () => {},
      beforeTeardown: async ({ network, result, orchestrator }) => {
        const client = createPublicClient({ transport: http(network.rpcUrl) })
        const { identityRegistry, reputationRegistry, receiptFeedbackGateway, paymentChannels } =
          network.deployments.contracts
        const vouchers = orchestrator.ledger().paid.filter((v) => v.receipt)
        for (const provider of result.reputation) {
          const agentId = provider.agentId!
          const [uri, wallet] = await Promise.all([
            client.readContract({
              address: identityRegistry!,
              abi: identityAbi,
              functionName: 'tokenURI',
              args: [agentId],
            }),
            client.readContract({
              address: identityRegistry!,
              abi: identityAbi,
              functionName: 'getAgentWallet',
              args: [agentId],
            }),
          ])
          const prefix = 'data:application/json;base64,'
          expect(uri.startsWith(prefix)).toBe(true)
          const file: RegistrationFile = JSON.parse(
            Buffer.from(uri.slice(prefix.length), 'base64').toString('utf8'),
          )
          expect(file.type).toBe('https://eips.ethereum.org/EIPS/eip-8004#registration-v1')
          expect(file.name).toBe(provider.name)
          expect(file.supportedTrust).toContain('reputation')
          expect(file.registrations).toContainEqual({
            agentId: Number(agentId),
            agentRegistry: `eip155:${network.chainId}:${identityRegistry!.toLowerCase()}`,
          })
          expect(file.services.filter((s) => s.name === 'ERC-8257').length).toBeGreaterThan(0)
          expect(wallet).toBe(provider.address)
          // Its receipts recover to that wallet.
          const channelsTo = result.channels.filter((c) => c.provider === provider.address)
          for (const voucher of vouchers.filter((v) =>
            channelsTo.some((c) => c.channelId === v.channelId),
          )) {
            const signer = await recoverTypedDataAddress({
              domain: {
                name: 'gotong',
                version: '1',
                chainId: network.chainId,
                verifyingContract: paymentChannels,
              },
              types: receiptTypes,
              primaryType: 'Receipt',
              message: voucher.receipt!.receipt,
              signature: voucher.receipt!.signature,
            })
            expect(signer).toBe(wallet)
            checked++
          }
          // The summary over the gateway: one paid feedback per channel that paid it.
          const [count] = await client.readContract({
            address: reputationRegistry!,
            abi: reputationAbi,
            functionName: 'getSummary',
            args: [agentId, [receiptFeedbackGateway!], '', 'paid'],
          })
          expect(count).toBe(BigInt(channelsTo.filter((c) => c.paid > 0n).length))
        }
      },
    })
    expect(result.balanced, result.problems.join('\n')).toBe(true)
    expect(result.reputation.map((r) => r.name)).toEqual([
      'stats-provider',
      'text-provider',
      'budget-text-provider',
      'premium-provider',
      'convert-provider',
    ])
    expect(result.reputation.every((r) => r.agentId !== undefined)).toBe(true)
    expect(checked).toBe(result.calls)
    // Every gUSD the orchestrator paid stands behind feedback, and nothing more.
    const paid = result.channels.reduce((s, c) => s + c.paid, 0n)
    expect(result.reputation.reduce((s, r) => s + r.paid, 0n)).toBe(paid)
    expect(result.reputation.filter((r) => r.feedbacks > 0n).every((r) => r.average === 100n)).toBe(
      true,
    )
  }, 120_000)
})
