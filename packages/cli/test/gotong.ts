import { type ChildProcessByStdio, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import type { Readable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Devnet } from '@gotong/chain/node'
import { type Address, erc20Abi } from 'viem'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
// By URL, so the CLI can run in any folder (tsx is not installed in the test's temp folders).
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
/** The command line that runs the CLI from its sources, in any folder. */
export const gotongCommand = [process.execPath, '--conditions=source', '--import', tsx, main]

export type Run = { code: number | null; stdout: string; stderr: string }
export type Where = { cwd: string; env: Record<string, string> }

/** Starts the CLI in `cwd` with `env` added to this process's environment. */
export function spawnGotong(
  where: Where,
  ...args: string[]
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [...gotongCommand.slice(1), ...args], {
    cwd: where.cwd,
    env: { ...process.env, ...where.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Runs the CLI to its end, as a user in `cwd` would. */
export function gotong(where: Where, ...args: string[]): Promise<Run> {
  const child = spawnGotong(where, ...args)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

/** Parses a successful run's JSON output, showing its stderr if it failed. */
export function json<T = Record<string, unknown>>(run: Run): T {
  if (run.code !== 0) throw new Error(`gotong exited with ${run.code}:\n${run.stderr}`)
  return JSON.parse(run.stdout) as T
}

/** gUSD held by an account, read from chain. */
export function gusdOf(devnet: Devnet, account: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: devnet.deployments!.contracts.gotongToken,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [account],
  })
}

/** Moves the devnet's clock forward and mines a block at the new time. */
export async function advanceTime(devnet: Devnet, seconds: number): Promise<void> {
  for (const [method, params] of [
    ['evm_increaseTime', [seconds]],
    ['evm_mine', []],
  ] as const) {
    const response = await fetch(devnet.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    const body = (await response.json()) as { error?: unknown }
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`)
  }
}
