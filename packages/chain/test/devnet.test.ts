import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { gotongTokenAbi, paymentChannelsAbi, toolDirectoryAbi } from '@gotong/contracts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  connect,
  createClients,
  DeploymentsChainMismatchError,
  DeploymentsInvalidError,
  DevnetPortInUseError,
  deploy,
  RpcUnreachableError,
} from '../src/index.js'
import { type Devnet, readDeployments, startDevnet, writeDeployments } from '../src/node/index.js'

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitUntilDead(pid: number, ms = 5_000) {
  const until = Date.now() + ms
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
  return !isAlive(pid)
}

describe('startDevnet', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet()
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('answers eth_chainId on a loopback port', async () => {
    expect(devnet.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(devnet.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    expect(await response.json()).toMatchObject({ result: '0x7a69' })
  })

  test('deploys the token and passes, and funds every account with gUSD', async () => {
    const { gotongToken, accessPass } = devnet.deployments!.contracts
    expect(await devnet.publicClient.getCode({ address: gotongToken })).toMatch(/^0x[0-9a-f]{100,}/)
    expect(await devnet.publicClient.getCode({ address: accessPass })).toMatch(/^0x[0-9a-f]{100,}/)
    const read = (functionName: 'decimals' | 'symbol' | 'name') =>
      devnet.publicClient.readContract({ address: gotongToken, abi: gotongTokenAbi, functionName })
    expect([await read('name'), await read('symbol'), await read('decimals')]).toEqual([
      'Gotong USD',
      'gUSD',
      6,
    ])
    expect(devnet.accounts).toHaveLength(10)
    for (const account of devnet.accounts) {
      const balance = await devnet.publicClient.readContract({
        address: gotongToken,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [account.address],
      })
      expect(balance).toBe(10_000_000_000n)
    }
  })

  test('deploys the ERC-8257 directory, the payment channels and the pause predicate', async () => {
    const { toolDirectory, paymentChannels, alwaysDenyPredicate } = devnet.deployments!.contracts
    const supports = (id: `0x${string}`) =>
      devnet.publicClient.readContract({
        address: toolDirectory,
        abi: toolDirectoryAbi,
        functionName: 'supportsInterface',
        args: [id],
      })
    expect(await supports('0xf1dc8075')).toBe(true)
    expect(await supports('0xbdf9dc18')).toBe(false)
    expect(
      await devnet.publicClient.readContract({
        address: toolDirectory,
        abi: toolDirectoryAbi,
        functionName: 'toolCount',
      }),
    ).toBe(0n)
    const [, name, version, chainId, verifyingContract] = await devnet.publicClient.readContract({
      address: paymentChannels,
      abi: paymentChannelsAbi,
      functionName: 'eip712Domain',
    })
    expect({ name, version, chainId, verifyingContract }).toEqual({
      name: 'gotong',
      version: '1',
      chainId: 31337n,
      verifyingContract: paymentChannels,
    })
    expect(await devnet.publicClient.getCode({ address: alwaysDenyPredicate })).toMatch(
      /^0x[0-9a-f]+$/,
    )
  })

  test('writes a deployments file that connect() accepts', async () => {
    const deployments = await readDeployments(devnet.deploymentsFile!, { chainId: 31337 })
    expect(deployments).toEqual(devnet.deployments)
    const connection = await connect({
      rpcUrl: devnet.rpcUrl,
      deployments,
      privateKey: devnet.accounts[1]!.privateKey,
    })
    expect(connection.walletClient?.account.address).toBe(devnet.accounts[1]!.address)
    expect(connection.chain.id).toBe(31337)
  })

  test('a deployments file for another chain is refused', async () => {
    const other = { ...devnet.deployments!, chainId: 8453 }
    await expect(connect({ rpcUrl: devnet.rpcUrl, deployments: other })).rejects.toThrow(
      DeploymentsChainMismatchError,
    )
    const path = `${devnet.deploymentsFile}.other.json`
    await writeDeployments(path, other)
    await expect(readDeployments(path, { chainId: 31337 })).rejects.toMatchObject({
      code: 'DEPLOYMENTS_CHAIN_MISMATCH',
    })
  })

  test('a malformed deployments file is a typed error', async () => {
    await expect(readDeployments('/nonexistent/deployments.json')).rejects.toThrow(
      DeploymentsInvalidError,
    )
    await expect(
      connect({ rpcUrl: devnet.rpcUrl, deployments: { chainId: 31337 } as never }),
    ).rejects.toMatchObject({ code: 'DEPLOYMENTS_INVALID' })
  })

  test('a requested port that is taken fails with DEVNET_PORT_IN_USE', async () => {
    const port = Number(new URL(devnet.rpcUrl).port)
    const error = await startDevnet({ port, deploy: false }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetPortInUseError)
    expect((error as DevnetPortInUseError).code).toBe('DEVNET_PORT_IN_USE')
  })
})

describe('deploy() to any chain', () => {
  test('deploys to a bare node and the result round-trips through a file', async () => {
    const bare = await startDevnet({ deploy: false, accounts: 2, chainId: 1337 })
    try {
      expect(bare.deployments).toBeUndefined()
      const { walletClient, publicClient } = createClients({
        rpcUrl: bare.rpcUrl,
        chainId: 1337,
        privateKey: bare.accounts[0]!.privateKey,
      })
      const deployments = await deploy({ walletClient: walletClient!, publicClient })
      expect(deployments.chainId).toBe(1337)
      const balance = await publicClient.readContract({
        address: deployments.contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'totalSupply',
      })
      expect(balance).toBe(0n)
    } finally {
      await bare.stop()
    }
  })
})

describe('errors', () => {
  test('an RPC URL where nothing listens is RPC_UNREACHABLE', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as { port: number }
    await new Promise((r) => server.close(r))
    const error = await connect({
      rpcUrl: `http://127.0.0.1:${port}`,
      deployments: {} as never,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcUnreachableError)
    expect((error as RpcUnreachableError).code).toBe('RPC_UNREACHABLE')
  })
})

describe('no anvil outlives its parent', () => {
  const child = fileURLToPath(new URL('./fixtures/devnet-child.ts', import.meta.url))

  async function run(mode: 'exit' | 'throw' | 'wait', signal?: NodeJS.Signals) {
    const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    const first = await new Promise<{ pid: number; rpcUrl: string }>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const line = stdout.split('\n')[0]
        if (stdout.includes('\n') && line) resolve(JSON.parse(line))
      })
      proc.once('exit', (code) => reject(new Error(`child exited early with ${code}: ${stdout}`)))
    })
    expect(isAlive(first.pid)).toBe(true)
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    if (signal) proc.kill(signal)
    await exited
    return first.pid
  }

  test.each([
    ['a normal exit', 'exit', undefined],
    ['an uncaught error', 'throw', undefined],
    ['SIGINT', 'wait', 'SIGINT'],
    ['SIGTERM', 'wait', 'SIGTERM'],
  ] as const)('after %s', async (_name, mode, signal) => {
    const pid = await run(mode, signal)
    expect(await waitUntilDead(pid)).toBe(true)
  })

  // The kernel's parent-death signal, set through util-linux's setpriv: Linux only.
  test.runIf(process.platform === 'linux')(
    'after SIGKILL, which nothing in the parent sees',
    async () => {
      const pid = await run('wait', 'SIGKILL')
      try {
        expect(await waitUntilDead(pid)).toBe(true)
      } finally {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL')
      }
    },
  )

  test('stop() ends anvil', async () => {
    const devnet = await startDevnet({ deploy: false })
    await devnet.stop()
    expect(isAlive(devnet.pid)).toBe(false)
    await devnet.stop()
  })
})
