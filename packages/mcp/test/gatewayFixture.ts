import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, type CreateAgentParameters, createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import type { Address } from 'viem'
import { z } from 'zod'

/** A devnet, a provider agent serving three priced tools, and agents made on demand. */
export async function gatewaySetup() {
  const devnet: Devnet = await startDevnet({ accounts: 8 })
  const dir = mkdtempSync(join(tmpdir(), 'gotong-mcp-'))
  const agents: Agent[] = []
  const clients: Client[] = []
  let n = 0
  const agent = async (index: number, extra: Partial<CreateAgentParameters> = {}) => {
    const made = await createAgent({
      account: devnet.accounts[index]!.privateKey,
      network: devnet as CreateAgentParameters['network'],
      store: join(dir, `agent-${index}-${n++}`),
      onWarning: () => {},
      ...extra,
    })
    agents.push(made)
    return made
  }
  const provider = await agent(1)
  const words = wordsTool
  const cheap = await provider.serve(words('word-count', 'Counts the words of a text.'), {
    price: '0.002',
  })
  const premium = await provider.serve(
    words('word-count-premium', 'Counts words, premium service.'),
    { price: '0.05' },
  )
  const gold = await provider.serve(words('word-count-gold', 'Counts words, gold service.'), {
    price: '0.5',
  })
  return {
    devnet,
    dir,
    provider,
    tools: { cheap, premium, gold },
    agent,
    /** An MCP SDK client connected to a gateway's HTTP URL; `answer` plays the user. */
    async client(
      url: string,
      options: {
        mode?: 'auto' | 'legacy'
        answer?: 'accept' | 'decline'
        elicitation?: boolean
        onToolsChanged?: () => void
      } = {},
    ) {
      const client = new Client(
        { name: 'gotong-test', version: '1.0.0' },
        {
          ...(options.mode === 'legacy' ? {} : { versionNegotiation: { mode: 'auto' as const } }),
          ...(options.elicitation === false ? {} : { capabilities: { elicitation: { form: {} } } }),
          ...(options.onToolsChanged
            ? { listChanged: { tools: { onChanged: () => options.onToolsChanged!() } } }
            : {}),
        },
      )
      if (options.elicitation !== false)
        client.setRequestHandler('elicitation/create', async () =>
          options.answer === 'decline'
            ? { action: 'decline' as const }
            : { action: 'accept' as const, content: { pay: true } },
        )
      await client.connect(new StreamableHTTPClientTransport(new URL(url)))
      clients.push(client)
      return client
    },
    balance: (who: Address) =>
      devnet.publicClient.readContract({
        address: devnet.deployments!.contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [who],
      }),
    async stop() {
      for (const client of clients) await client.close().catch(() => undefined)
      for (const made of agents) await made.stop()
      await devnet.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type GatewaySetup = Awaited<ReturnType<typeof gatewaySetup>>

/** A small real tool: counts the words of a text. */
export function wordsTool(name: string, description: string) {
  return defineTool({
    name,
    description,
    tags: ['text'],
    input: z.object({ text: z.string().max(10_000) }),
    output: z.object({ words: z.number().int() }),
    handler: ({ text }) => ({ words: text.split(/\s+/).filter(Boolean).length }),
  })
}

/** The JSON body of an MCP tool result's first text block. */
export function textOf(result: { content?: unknown }): unknown {
  const [first] = (result.content ?? []) as { type: string; text?: string }[]
  return first?.type === 'text' ? JSON.parse(first.text!) : undefined
}
