import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onExit } from 'signal-exit'
import { type Address, createTestClient, getAddress, type Hex, http } from 'viem'
import type { Connection } from '../connection.js'
import { createClients } from '../createClients.js'
import { deploy, gotongTokenDecimals } from '../deploy.js'
import type { Deployments } from '../deployments.js'
import { DevnetPortInUseError, DevnetStartError } from '../errors.js'
import { anvilBinaryPath } from './anvilBinary.js'
import { writeDeployments } from './deploymentsFile.js'
import { parentDeathPrefix } from './parentDeathSignal.js'

/** Options of `startDevnet`. Every one has a default that works. */
export type StartDevnetOptions = {
  /** Loopback port; 0 (default) picks a free one. */
  port?: number | undefined
  /**
   * The address anvil listens on; 127.0.0.1 by default. Another one is for a test network, as
   * `gotong swarm --hosts 3` runs anvil inside a network namespace on that namespace's address.
   */
  host?: string | undefined
  /**
   * Runs anvil under this command, e.g. `['ip', 'netns', 'exec', 'h1']`, which must exec it
   * (keeping its pid, so stopping it stops anvil). None by default.
   */
  commandPrefix?: readonly string[] | undefined
  /** Chain id; 31337 by default (a chain gotong treats as a local devnet). */
  chainId?: number | undefined
  /** Funded test accounts (anvil's well-known mnemonic); 10 by default. */
  accounts?: number | undefined
  /** Test tokens minted to every account, in base units; 10,000 gUSD by default. */
  mintPerAccount?: bigint | undefined
  /** Deploy gotong's contracts (default true). */
  deploy?: boolean | undefined
  /** Where to write the deployments file; a fresh temp folder by default. */
  deploymentsFile?: string | undefined
  /**
   * Whole seconds between blocks once the devnet is set up, so a block holds every transaction
   * sent meanwhile (as on a real chain); by default a block is mined per transaction. Deploying
   * and minting still mine a block per transaction, so they do not wait for blocks.
   */
  blockTime?: number | undefined
  /**
   * More anvil flags, after gotong's own (e.g. `['--prune-history']` for a bench that grows a
   * large state). None by default.
   */
  anvilArgs?: readonly string[] | undefined
  /** Milliseconds to wait for anvil to listen (default 15,000). */
  startTimeoutMs?: number | undefined
  /** Receives every line anvil prints. */
  onLog?: ((line: string) => void) | undefined
}

/** A funded test account. */
export type DevnetAccount = { address: Address; privateKey: Hex }

/** A running devnet. */
export type Devnet = {
  rpcUrl: string
  chainId: number
  chain: Connection['chain']
  publicClient: Connection['publicClient']
  accounts: readonly DevnetAccount[]
  /** Undefined when started with `deploy: false`. */
  deployments: Deployments | undefined
  deploymentsFile: string | undefined
  /** anvil's process id (a setpriv in between keeps it: setpriv execs anvil). */
  pid: number
  /** Stops anvil and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts a local chain (anvil, on a free loopback port), deploys gotong's contracts, mints test
 * tokens to the funded accounts and writes a deployments file.
 *
 * anvil does not outlive this process: `stop()` stops it, and so does every exit this process
 * sees (returning, `process.exit`, an uncaught error, SIGINT, SIGTERM, SIGHUP), on every
 * platform. On Linux anvil also runs under util-linux's `setpriv --pdeathsig KILL` (2.33 or
 * later: Debian 10 and Ubuntu 20.04 on), so the kernel kills it when this process dies without
 * seeing it: SIGKILL, the OOM killer. On macOS, on Windows and on a Linux without that setpriv,
 * such a death leaves anvil running, at `pid`.
 *
 * @example
 * const devnet = await startDevnet()
 * console.log(devnet.rpcUrl, devnet.deployments?.contracts.gotongToken)
 * await devnet.stop()
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const chainId = options.chainId ?? 31337
  const anvil = anvilBinaryPath()
  const [prefix, workDir] = await Promise.all([
    parentDeathPrefix(),
    mkdtemp(join(tmpdir(), 'gotong-devnet-')),
  ])
  const configFile = join(workDir, 'anvil.json')
  const args = [
    ...['--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0)],
    ...['--chain-id', String(chainId), '--accounts', String(options.accounts ?? 10)],
    ...['--balance', '10000', '--config-out', configFile],
    ...(options.anvilArgs ?? []),
  ]
  // Under setpriv (Linux) anvil dies with this process even when nothing here gets to run: a
  // SIGKILL. The exit hook covers the exits this process sees, on every platform.
  const [command = anvil, ...rest] = [...prefix, ...(options.commandPrefix ?? []), anvil, ...args]
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] })
  const removeExitHook = onExit(() => {
    child.kill('SIGKILL')
  })
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      removeExitHook()
      await terminate(child)
      await rm(workDir, { recursive: true, force: true })
    })()
    return stopped
  }

  try {
    const address = await waitForListening(child, options)
    const rpcUrl = `http://${address}`
    const config = JSON.parse(await readFile(configFile, 'utf8')) as {
      available_accounts: Address[]
      private_keys: Hex[]
    }
    const accounts = config.available_accounts.map((address, i) => ({
      address: getAddress(address),
      privateKey: config.private_keys[i] as Hex,
    }))
    const deployer = accounts[0]
    let deployments: Deployments | undefined
    let deploymentsFile: string | undefined
    if (options.deploy !== false && deployer) {
      const bootstrap = createClients({ rpcUrl, chainId, privateKey: deployer.privateKey })
      deployments = await deploy({
        walletClient: bootstrap.walletClient!,
        publicClient: bootstrap.publicClient,
        mint: {
          to: accounts.map((a) => a.address),
          amount: options.mintPerAccount ?? 10_000n * 10n ** BigInt(gotongTokenDecimals),
        },
      })
      deploymentsFile = options.deploymentsFile ?? join(workDir, 'deployments.json')
      await writeDeployments(deploymentsFile, deployments)
    }
    const { chain, publicClient } = createClients({ rpcUrl, chainId })
    if (options.blockTime)
      await createTestClient({ chain, mode: 'anvil', transport: http(rpcUrl) }).setIntervalMining({
        interval: options.blockTime,
      })
    return {
      rpcUrl,
      chainId,
      chain,
      publicClient,
      accounts,
      deployments,
      deploymentsFile,
      pid: child.pid ?? -1,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

function waitForListening(child: ChildProcess, options: StartDevnetOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(
      () => fail(new DevnetStartError('anvil did not start listening in time', output)),
      options.startTimeoutMs ?? 15_000,
    )
    const onData = (chunk: Buffer) => {
      const text = chunk.toString()
      output += text
      for (const line of text.split('\n')) if (line) options.onLog?.(line)
      const listening = /Listening on (\S+)/.exec(output)
      if (listening?.[1]) {
        cleanup()
        resolve(listening[1])
      } else if (/address already in use|Address in use|os error 98/i.test(output)) {
        fail(new DevnetPortInUseError(options.port ?? 0, new Error(output.trim())))
      }
    }
    const onExitEarly = (code: number | null) =>
      fail(new DevnetStartError(`anvil exited with code ${code}`, output))
    const onError = (error: Error) =>
      fail(new DevnetStartError('anvil could not be spawned', output, error))
    function cleanup() {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.stderr?.off('data', onData)
      child.off('exit', onExitEarly)
      child.off('error', onError)
      if (options.onLog) {
        child.stdout?.on('data', (c: Buffer) => forward(c, options.onLog))
        child.stderr?.on('data', (c: Buffer) => forward(c, options.onLog))
      } else {
        child.stdout?.resume()
        child.stderr?.resume()
      }
    }
    function fail(error: Error) {
      cleanup()
      reject(error)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExitEarly)
    child.once('error', onError)
  })
}

function forward(chunk: Buffer, onLog: ((line: string) => void) | undefined) {
  for (const line of chunk.toString().split('\n')) if (line) onLog?.(line)
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
function terminate(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
