import { AgentError, type StakeClient, stake, unstake, withdrawStake } from '@gotong/agent'
import { providerStakeAbi } from '@gotong/contracts'
import { Command } from 'commander'
import type { Address } from 'viem'
import { gusdText, toJson } from './agentOptions.js'
import {
  type NetworkOptions,
  openChain,
  parseAddress,
  withNetworkOptions,
  withSigner,
} from './chainOptions.js'
import { parseToolId } from './reputation.js'

type StakeCommandOptions = NetworkOptions & {
  privateKey?: string
  tool?: bigint
  json?: boolean
}

/**
 * `gotong stake`: a provider's stake at ProviderStake, behind one tool (`--tool`) or all its
 * tools: `add` bonds gUSD, `unstake` asks it back, `withdraw` takes it once the delay has
 * passed, `show` (the default) prints what backs a provider.
 */
export function stakeCommand(): Command {
  const command = new Command('stake').description(
    "a provider's stake behind its tools at ProviderStake: add, unstake, withdraw after the delay, show",
  )
  command.addCommand(
    withStakeOptions(new Command('show'), 'the provider (default: the key’s account)')
      .argument('[provider]', 'provider address', parseAddress)
      .action(async (provider: Address | undefined, options: StakeCommandOptions) => {
        const { client, chain } = await open(options, provider === undefined)
        const who = provider ?? client.walletClient.account.address
        const toolId = options.tool ?? 0n
        const read = <T>(functionName: 'stakeOf' | 'bucketOf') =>
          chain.publicClient.readContract({
            address: client.contracts.providerStake!,
            abi: providerStakeAbi,
            functionName,
            args: [who, toolId],
          } as never) as Promise<T>
        const [backing, bucket] = await Promise.all([
          read<bigint>('stakeOf'),
          read<{ staked: bigint; pending: bigint; unlockAt: bigint }>('bucketOf'),
        ])
        const row = { provider: who, toolId, stake: backing, ...bucket }
        if (options.json) return void process.stdout.write(`${toJson(row)}\n`)
        const scope = toolId === 0n ? 'all its tools' : `tool ${toolId} (with all-tools stake)`
        process.stdout.write(
          [
            `${who} keeps ${gusdText(backing)} behind ${scope}`,
            ...(bucket.pending > 0n
              ? [
                  `  ${gusdText(bucket.pending)} asked back, withdrawable from ${new Date(Number(bucket.unlockAt) * 1000).toISOString()}`,
                ]
              : []),
            '',
          ].join('\n'),
        )
      }),
    { isDefault: true },
  )
  command.addCommand(
    withStakeOptions(new Command('add'), 'the key’s account')
      .argument('<amount>', 'gUSD to bond, in token units (e.g. 250)')
      .action(async (amount: string, options: StakeCommandOptions) => {
        const { client } = await open(options, true)
        const done = await stake(client, amount, { toolId: options.tool })
        report(options, { ...done, toolId: options.tool ?? 0n }, `staked ${gusdText(done.staked)}`)
      }),
  )
  command.addCommand(
    withStakeOptions(new Command('unstake'), 'the key’s account')
      .argument('<amount>', 'gUSD to ask back, in token units')
      .action(async (amount: string, options: StakeCommandOptions) => {
        const { client } = await open(options, true)
        const done = await unstake(client, amount, { toolId: options.tool })
        const at = new Date(Number(done.unlockAt) * 1000).toISOString()
        report(options, done, `asked back; withdraw from ${at} (slashable until then)`)
      }),
  )
  command.addCommand(
    withStakeOptions(new Command('withdraw'), 'the key’s account').action(
      async (options: StakeCommandOptions) => {
        const { client } = await open(options, true)
        const done = await withdrawStake(client, { toolId: options.tool })
        report(options, done, `withdrew ${gusdText(done.withdrawn)}`)
      },
    ),
  )
  return command
}

function withStakeOptions(command: Command, whose: string): Command {
  return withSigner(withNetworkOptions(command))
    .description(`stake of ${whose}`)
    .option('--tool <id>', 'the stake behind this tool (default: behind all tools)', parseToolId)
    .option('--json', 'print JSON instead of text')
}

async function open(options: StakeCommandOptions, needsSigner: boolean) {
  const chain = await openChain(options, needsSigner)
  const { contracts } = chain.deployments
  if (!contracts.providerStake)
    throw new AgentError('STAKE_UNAVAILABLE', 'This deployment names no ProviderStake contract.')
  const client = {
    walletClient: chain.walletClient!,
    publicClient: chain.publicClient,
    contracts,
  } as StakeClient
  return { chain, client }
}

function report(options: StakeCommandOptions, result: object, text: string) {
  process.stdout.write(options.json ? `${toJson(result)}\n` : `${text}\n`)
}
