import type { Devnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { formatAmount } from '@gotong/core'
import type { Address } from 'viem'

/** Everything a user needs to point an agent at a devnet, as printed by `--json`. */
export async function describeDevnet(devnet: Devnet) {
  const token = devnet.deployments?.contracts.gotongToken
  const accounts = await Promise.all(
    devnet.accounts.map(async ({ address, privateKey }) => ({
      address,
      privateKey,
      gUSD: token ? formatAmount(await balanceOf(devnet, token, address), 6) : '0',
    })),
  )
  return {
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    contracts: devnet.deployments?.contracts ?? {},
    deploymentsFile: devnet.deploymentsFile ?? null,
    accounts,
  }
}

function balanceOf(devnet: Devnet, token: Address, account: Address) {
  return devnet.publicClient.readContract({
    address: token,
    abi: gotongTokenAbi,
    functionName: 'balanceOf',
    args: [account],
  })
}

/** The human form of `describeDevnet`. */
export function formatDevnet(info: Awaited<ReturnType<typeof describeDevnet>>): string {
  const lines = [
    `RPC URL      ${info.rpcUrl}`,
    `Chain id     ${info.chainId}`,
    ...Object.entries(info.contracts).map(([name, address]) => `${name.padEnd(12)} ${address}`),
    `Deployments  ${info.deploymentsFile ?? '(not deployed)'}`,
    '',
    'Funded test accounts (well-known anvil keys: never use them on a real chain):',
    ...info.accounts.map(
      (a, i) => `  (${i}) ${a.address}  ${a.gUSD.padStart(9)} gUSD  key ${a.privateKey}`,
    ),
  ]
  return `${lines.join('\n')}\n`
}
