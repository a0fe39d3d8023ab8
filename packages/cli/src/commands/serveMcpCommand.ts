import { readFileSync } from 'node:fs'
import { createAgent } from '@gotong/agent'
import { wrapMcpServer } from '@gotong/mcp'
import { Command, InvalidArgumentError, Option } from 'commander'
import { z } from 'zod'
import { exitWithParent } from '../exitWithParent.js'
import { parsePort } from '../options.js'
import {
  type AgentOptions,
  explained,
  indexOf,
  openNetwork,
  requireKey,
  storeOf,
  toJson,
  withAgentOptions,
} from './agentOptions.js'

type ServeMcpOptions = AgentOptions & {
  url?: string
  price: Record<string, string>
  prices?: Record<string, string>
  acceptChanges?: boolean
  host?: string
  port?: number
}

const gusd = z.string().regex(/^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$/, 'a gUSD amount like 0.002')
const PricesFile = z.record(z.string().min(1), gusd)

/** `--price name=0.002` (repeatable; `default=…` for every tool not named). */
function parsePrice(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.lastIndexOf('=')
  const name = value.slice(0, at)
  const price = value.slice(at + 1)
  if (at <= 0 || !gusd.safeParse(price).success)
    throw new InvalidArgumentError('expected <tool>=<gUSD>, e.g. echo=0.001 or default=0.002.')
  return { ...previous, [name]: price }
}

/** `--prices file.json`: `{ "<tool>": "0.002", "default": "0.001" }`. */
function parsePricesFile(file: string): Record<string, string> {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new InvalidArgumentError(`cannot read JSON from ${file}.`)
  }
  const parsed = PricesFile.safeParse(raw)
  if (!parsed.success)
    throw new InvalidArgumentError(`${file}: expected { "<tool>": "<gUSD>", … }.`)
  return parsed.data
}

/**
 * Splits a command line the way a shell would split words (single and double quotes, backslash
 * escapes), without running a shell: the MCP server is started directly.
 */
export function splitCommand(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word = (word ?? '') + line[++i]
      else word = (word ?? '') + c
    } else if (c === '"' || c === "'") {
      quote = c
      word ??= ''
    } else if (c === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i]
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else word = (word ?? '') + c
  }
  if (quote) throw new InvalidArgumentError('the command has an unclosed quote.')
  if (word !== undefined) words.push(word)
  return words
}

/**
 * `gotong agent serve-mcp "<command> [args]"` (stdio) or `--url <url>` (Streamable HTTP): sells an
 * MCP server's tools as paid gotong tools, one manifest each, until Ctrl-C.
 */
export function serveMcpCommand(): Command {
  const command = new Command('serve-mcp')
    .description("sell an MCP server's tools as paid gotong tools until Ctrl-C")
    .argument('[command]', 'the stdio MCP server to start, quoted: "npx -y some-mcp-server stdio"')
    .option('--url <url>', 'a Streamable HTTP MCP server instead of a command')
    .addOption(
      new Option('--price <tool=gUSD>', 'price per call of a tool; default=… for the rest')
        .argParser(parsePrice)
        .default({}),
    )
    .option(
      '--prices <file>',
      'JSON file of prices: { "<tool>": "0.002", "default": "0.001" }',
      parsePricesFile,
    )
    .option(
      '--accept-changes',
      'publish a changed tool definition as a new version (default: refuse its calls)',
    )
    .option('--host <host>', 'interface to serve on (default 127.0.0.1)')
    .option('--port <port>', 'port to serve on (default: a free one)', parsePort)
  return withAgentOptions(command, { json: false }).action(
    explained(async (line: string | undefined, options: ServeMcpOptions) => {
      exitWithParent()
      if (!line === !options.url)
        throw new InvalidArgumentError('give either a command to start or --url, not both.')
      const key = requireKey(options, 'Selling MCP tools')
      const network = await openNetwork(options)
      const { store } = storeOf(options, 'Selling MCP tools')
      const words = line ? splitCommand(line) : []
      const source = options.url
        ? { url: options.url }
        : { command: words[0]!, args: words.slice(1), stderr: 'inherit' as const }
      const wrapped = await wrapMcpServer(source, {
        prices: { ...options.prices, ...options.price },
        ...(options.acceptChanges ? { acceptChanges: true } : {}),
        onChange: (change) => process.stderr.write(`mcp: ${toJson(change)}\n`),
      })
      const agent = await createAgent({
        account: key,
        network,
        store,
        ...indexOf(options),
        ...(options.host ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
      })
      let stopping = false
      const stop = async () => {
        if (stopping) return
        stopping = true
        await wrapped.close()
        await agent.stop()
        process.stdout.write('stopped\n')
        process.exit(0)
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const served = await wrapped.serve(agent)
      const tools = [...served].map(([name, tool]) => ({
        name,
        toolId: tool.toolId.toString(),
        ref: tool.ref,
        manifestHash: tool.manifestHash,
      }))
      process.stdout.write(
        `READY ${toJson({ url: agent.url, server: wrapped.server, tools, unpriced: wrapped.unpriced, refused: wrapped.refused.map((r) => ({ name: r.name, code: r.error.code })) })}\n`,
      )
      await new Promise(() => {})
    }),
  )
}
