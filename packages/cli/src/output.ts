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
    /** What to kill should anvil ever outlive gotong. */
    anvilPid: devnet.pid,
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

/** The human form of `describeDevnet`: labels in one column, the accounts as a table. */
export function formatDevnet(info: Awaited<ReturnType<typeof describeDevnet>>): string {
  const fields: [string, string][] = [
    ['RPC URL', info.rpcUrl],
    ['Chain id', String(info.chainId)],
    // Named as the contracts are (GotongToken), not as the JSON keys are (gotongToken).
    ...Object.entries(info.contracts).map(([name, address]): [string, string] => [
      `${name.charAt(0).toUpperCase()}${name.slice(1)}`,
      String(address),
    ]),
    ['Deployments', info.deploymentsFile ?? '(not deployed)'],
  ]
  const accounts = [
    ['#', 'Address', 'gUSD', 'Private key'],
    ...info.accounts.map((a, i) => [String(i), a.address, a.gUSD, a.privateKey]),
  ]
  const lines = [
    ...table(fields, ['left', 'left']),
    '',
    'Funded test accounts (well-known anvil keys: never use them on a real chain):',
    ...table(accounts, ['right', 'left', 'right', 'left']).map((line) => `  ${line}`),
  ]
  return `${lines.join('\n')}\n`
}

/** Rows padded to their columns' widths, two spaces apart. */
function table(rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[]) {
  const widths = align.map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)))
  return rows.map((row) =>
    row
      .map((cell, c) =>
        align[c] === 'right' ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  )
}
