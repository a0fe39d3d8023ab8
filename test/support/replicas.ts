import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bigintReplacer } from '@gotong/core'
import type { Payer } from '@gotong/payments/payer'
import { type Hex, keccak256, toHex } from 'viem'
import type { ReplicaConfig } from './replicaProcess.js'

const replicaScript = fileURLToPath(new URL('./replicaProcess.ts', import.meta.url))

/** A running replica process: its port, what it said before dying (`DYING {…}`), its end. */
export type Replica = {
  port: number
  url: string
  child: ChildProcess
  /** The voucher it was running when it killed itself (`dieAfter`). */
  dying: Promise<{ channelId: Hex; calls: string }>
  exited: Promise<void>
  stop(): void
}

/** Starts one replica process (see `replicaProcess.ts`) and waits until it listens. */
export async function startReplica(config: ReplicaConfig): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', replicaScript, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.on('data', (d) => {
    stderr += d
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let onDying: (v: { channelId: Hex; calls: string }) => void = () => undefined
  const dying = new Promise<{ channelId: Hex; calls: string }>((resolve) => {
    onDying = resolve
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      for (const line of out.split('\n')) {
        if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)).port)
        if (line.startsWith('DYING ')) onDying(JSON.parse(line.slice(6)))
      }
    })
    child.once('exit', (code) =>
      reject(new Error(`replica exited (${code}) before ready: ${stderr}`)),
    )
  })
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    dying,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}

/** nginx in front of the replicas, on a free loopback port, from a config in a temp dir. */
export async function startNginx(
  ports: readonly number[],
  /** Its own port, when its URL must be known before it starts (a listing names it). */
  options: { port?: number } = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const binary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync)
  if (!binary)
    throw new Error("nginx is needed for the replica tests: install Debian's `nginx-light`.")
  const dir = mkdtempSync(join(tmpdir(), 'gotong-nginx-'))
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub))
  const port = options.port ?? (await freePort())
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream replicas {
${ports.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 64;
    # Idle upstream connections are dropped here before a replica may drop them (gotong's
    # transport answers 408 on a connection idle past its 10 s header timeout): nginx never
    # sends a request down a socket as the replica closes it, which it would answer 502.
    keepalive_timeout 5s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A replica that refuses connections (killed) is skipped; a call it was running is not
      # sent again by nginx (POST): the consumer retries it with the same voucher.
      proxy_next_upstream error timeout;
    }
  }
}
`,
  )
  execFileSync(binary, ['-t', '-q', '-c', join(dir, 'nginx.conf'), '-p', dir])
  const child = spawn(binary, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    const up = await fetch(url, { method: 'POST' }).then(
      () => true,
      () => false,
    )
    if (up) break
    if (i > 200) throw new Error('nginx did not start listening')
    await new Promise((r) => setTimeout(r, 25))
  }
  return {
    url,
    async stop() {
      // SIGTERM: nginx's master stops its worker, then itself. A SIGKILL to the master alone
      // would leave the worker running, orphaned (two were found after test runs).
      child.kill('SIGTERM')
      const late = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(late)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** What one consumer saw: every call answered once, and what it paid. */
export type ConsumerTally = { served: number; retries: number; replicas: Set<number> }

/**
 * One consumer's calls on its channel, one after another, through `url`. A call whose answer
 * never came (a replica killed under it: nginx answers 502) or that a replica still holds
 * (`VOUCHER_REPLAYED` with no answer yet) is sent again with the same voucher until answered.
 */
export async function payCalls(parameters: {
  url: string
  payer: Payer
  channel: { channelId: Hex; termsHash: Hex }
  price: bigint
  calls: number
  /** Distinguishes this consumer's requests. */
  tag: string
}): Promise<ConsumerTally> {
  const { url, payer, channel, price, calls, tag } = parameters
  const tally: ConsumerTally = { served: 0, retries: 0, replicas: new Set() }
  for (let n = 1; n <= calls; n++) {
    const requestHash = keccak256(toHex(`${tag} ${n}`))
    const issued = await payer.createVoucher({ ...channel, amount: price, requestHash })
    const body = JSON.stringify(
      { payment: issued.payment, requestHash, input: { n } },
      bigintReplacer,
    )
    for (let attempt = 0; ; attempt++) {
      const answer = await fetch(`${url}/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(
        async (res) => ({
          status: res.status,
          body: (await res.json().catch(() => ({}))) as never,
        }),
        () => ({ status: 0, body: {} as never }),
      )
      const { status, body: json } = answer as {
        status: number
        body: { output?: { doubled: number }; receipt?: unknown; replica?: number; code?: string }
      }
      if (status === 200) {
        if (json.output?.doubled !== n * 2)
          throw new Error(`call ${n} answered ${JSON.stringify(json)}`)
        payer.confirm(issued, json.receipt, requestHash)
        tally.served++
        tally.replicas.add(json.replica!)
        break
      }
      const retriable = status === 0 || status >= 502 || json.code === 'VOUCHER_REPLAYED'
      if (!retriable || attempt >= 400)
        throw new Error(`call ${n} of ${tag}: ${status} ${JSON.stringify(json)}`)
      tally.retries++
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  return tally
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
