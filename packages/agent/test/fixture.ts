import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import type { Address } from 'viem'
import { z } from 'zod'
import {
  type CallResult,
  type CreateAgentParameters,
  createAgent,
  defineTool,
} from '../src/index.js'

/** A devnet and a temp folder; agents made here are stopped with it. */
export async function setup(options: { accounts?: number } = {}) {
  const devnet: Devnet = await startDevnet({ accounts: options.accounts ?? 4 })
  const dir = mkdtempSync(join(tmpdir(), 'gotong-agent-'))
  const agents: Awaited<ReturnType<typeof createAgent>>[] = []
  let n = 0
  return {
    devnet,
    dir,
    async agent(index: number, extra: Partial<CreateAgentParameters> = {}) {
      const agent = await createAgent({
        account: devnet.accounts[index]!.privateKey,
        network: devnet as CreateAgentParameters['network'],
        store: join(dir, `agent-${index}-${n++}`),
        ...extra,
      })
      agents.push(agent)
      return agent
    },
    balance: (who: Address) =>
      devnet.publicClient.readContract({
        address: devnet.deployments!.contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [who],
      }),
    async stop() {
      for (const agent of agents) await agent.stop()
      await devnet.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A small real tool: word statistics of a text. */
export const wordStats = defineTool({
  name: 'word-stats',
  description: 'Counts the words and characters of a text and finds its longest word.',
  tags: ['text', 'statistics'],
  input: z.object({ text: z.string().max(10_000) }),
  output: z.object({ words: z.number().int(), characters: z.number().int(), longest: z.string() }),
  handler: ({ text }) => {
    const words = text.split(/\s+/).filter(Boolean)
    return {
      words: words.length,
      characters: text.length,
      longest: words.reduce((a, b) => (b.length > a.length ? b : a), ''),
    }
  },
})

export type Setup = Awaited<ReturnType<typeof setup>>

/** The receipt of a call paid through a channel; throws if it went over another rail. */
export function channelReceipt(result: CallResult) {
  if (result.rail !== 'channel') throw new Error(`paid over ${result.rail}, not a channel`)
  return result.receipt.receipt
}
