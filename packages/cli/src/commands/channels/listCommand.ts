import type { Network } from '@gotong/agent'
import { Command } from 'commander'
import type { Address, Hex, PublicClient } from 'viem'
import {
  type AgentOptions,
  explained,
  gusdText,
  toJson,
  withAgentOptions,
} from '../agentOptions.js'
import { type Books, earnedOn, openSiblingBooks, paidOn } from '../books.js'
import { chainNow, type Known, openChannelContext, readOnChain, when } from './channelContext.js'

/** One channel of the agent, as the chain and both sides' ledgers have it. */
export type ChannelRow = {
  channelId: Hex
  /** This agent's side of the channel. */
  role: 'payer' | 'payee'
  payer: Address
  payee: Address
  token: Address
  challengePeriod: number
  /** On chain: `none` when the chain does not know it (say, a devnet started afresh). */
  status: 'none' | 'open' | 'closing' | 'closed'
  deposit: bigint
  claimed: bigint
  /** Unix seconds after which a closing channel may be finalized; null unless closing. */
  closesAt: bigint | null
  /** What went back to the payer when it closed; null until then. */
  refunded: bigint | null
  /** Totals from each side's voucher log, where this machine has it (null otherwise). */
  ledger: {
    payer: { calls: number; amount: bigint } | null
    payee: { calls: number; amount: bigint; claimed: bigint } | null
  }
}

const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`

async function describe(
  publicClient: PublicClient,
  network: Network,
  books: Books,
  known: Known,
): Promise<ChannelRow> {
  const onChain = await readOnChain(publicClient, network, known.channelId)
  const other = await openSiblingBooks(
    books.store,
    known.role === 'payer' ? known.key.payee : known.key.payer,
  )
  try {
    const payerBooks = known.role === 'payer' ? books : other
    const payeeBooks = known.role === 'payee' ? books : other
    return {
      channelId: known.channelId,
      role: known.role,
      payer: known.key.payer,
      payee: known.key.payee,
      token: known.key.token,
      challengePeriod: known.key.challengePeriod,
      status: onChain.status,
      deposit: onChain.deposit,
      claimed: onChain.claimed,
      closesAt: onChain.status === 'closing' ? onChain.closesAt : null,
      refunded: onChain.refunded,
      ledger: {
        payer: paidOn(payerBooks?.payer, known.channelId),
        payee: earnedOn(payeeBooks?.payee, known.channelId),
      },
    }
  } finally {
    other?.close()
  }
}

/** `gotong channels [list]`: the agent's channels as the chain has them, with both ledgers. */
export function listCommand(): Command {
  const command = new Command('list')
    .description(
      'list the channels this agent pays or is paid through, read from chain, with both ledgers',
    )
    .option('--all', 'also list channels this chain does not know (from an earlier devnet)')
  return withAgentOptions(command).action(
    explained(async (options: AgentOptions & { all?: boolean }) => {
      const context = await openChannelContext(options, 'Listing channels', false)
      try {
        const rows: ChannelRow[] = []
        for (const known of context.known)
          rows.push(await describe(context.publicClient, context.network, context.books, known))
        const shown = options.all ? rows : rows.filter((r) => r.status !== 'none')
        if (options.json) return void process.stdout.write(`${toJson(shown)}\n`)
        process.stdout.write(formatRows(shown, await chainNow(context.publicClient)))
        const hidden = rows.length - shown.length
        if (hidden)
          process.stdout.write(
            `(${hidden} channel${hidden === 1 ? '' : 's'} in the store unknown to this chain, from an earlier devnet: --all lists them)\n`,
          )
      } finally {
        context.books.close()
      }
    }),
  )
}

function formatRows(rows: ChannelRow[], now: bigint): string {
  if (rows.length === 0)
    return 'No channels yet: `gotong call <tool>` opens one with the tool’s provider.\n'
  const lines: string[] = []
  for (const r of rows) {
    const status =
      r.status === 'closing' && r.closesAt !== null
        ? r.closesAt <= now
          ? 'closing, ready to finalize'
          : `closing until ${when(r.closesAt)}`
        : r.status === 'none'
          ? 'unknown to this chain'
          : r.status
    lines.push(
      `${r.channelId}  ${status}`,
      `  you are the ${r.role}; payer ${r.payer}, payee ${r.payee}`,
      `  deposit ${gusdText(r.deposit)}, ${r.refunded === null ? `claimed on chain ${gusdText(r.claimed)}` : `paid ${gusdText(r.claimed)}, refunded ${gusdText(r.refunded)}`}`,
      `  payer's ledger  ${r.ledger.payer ? `${calls(r.ledger.payer.calls)}, ${gusdText(r.ledger.payer.amount)} paid` : '(not on this machine)'}`,
      `  payee's ledger  ${r.ledger.payee ? `${calls(r.ledger.payee.calls)}, ${gusdText(r.ledger.payee.amount)} earned, ${gusdText(r.ledger.payee.claimed)} claimed` : '(not on this machine)'}`,
    )
  }
  return `${lines.join('\n')}\n`
}
