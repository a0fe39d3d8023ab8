import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** A PostgreSQL server for tests (the indexer's and the payee ledger's): its URL, and how to get rid of it. */
export type TestPostgres = { url: string; stop(): void }

const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']

/**
 * The server the tests use: `GOTONG_TEST_DATABASE_URL` if set (CI starts one), else a
 * throwaway cluster of Debian's `postgresql` on a free loopback port, torn down after the run.
 * As root that is `pg_createcluster` (which runs the server as `postgres`); as anyone else it
 * is `initdb` and `pg_ctl` in a temporary directory.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.GOTONG_TEST_DATABASE_URL
  if (given) return { url: given, stop() {} }
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : []
  const version = versions[0]
  if (!version)
    throw new Error(
      "PostgreSQL is needed for these tests: install Debian's `postgresql`, or set GOTONG_TEST_DATABASE_URL to a server's URL.",
    )
  const port = await freePort()
  if (process.getuid?.() === 0) {
    const name = `gotong-vitest-${process.pid}`
    execFileSync('pg_createcluster', [
      version,
      name,
      '-p',
      String(port),
      ...settings.flatMap((s) => ['-o', s]),
      '--',
      '--auth-local=trust',
      '--auth-host=trust',
    ])
    execFileSync('pg_ctlcluster', [version, name, 'start'])
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      stop: () => execFileSync('pg_dropcluster', [version, name, '--stop']),
    }
  }
  const bin = `/usr/lib/postgresql/${version}/bin`
  const dir = mkdtempSync(join(tmpdir(), 'gotong-pg-'))
  const data = join(dir, 'data')
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${settings.map((s) => `-c ${s}`).join(' ')}`
  execFileSync(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    options,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ])
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A fresh database on the server, so test files (and their Ponder caches) stay apart. */
export async function createTestDatabase(serverUrl: string): Promise<{
  url: string
  drop(): Promise<void>
}> {
  const name = `gotong_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
