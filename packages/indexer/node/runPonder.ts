import { fileURLToPath } from 'node:url'
import { BaseError } from '@gotong/core'
import pg from 'pg'

/** Where the Ponder app (config, schema, handlers, API) lives: this package's root. */
export const appRoot = fileURLToPath(new URL('..', import.meta.url))

/** Another indexer holds the schema. */
export class SchemaInUseError extends BaseError {
  override name = 'SchemaInUseError'
  constructor(schema: string) {
    super('INDEXER_SCHEMA_IN_USE', `Another indexer is running on schema "${schema}".`, {
      metaMessages: ['Stop it first, or give this one another `--schema`.'],
    })
  }
}

/**
 * Runs the Ponder app in this process (it does not return until Ponder exits), configured by
 * the environment (`indexerEnvironment`), holding a PostgreSQL advisory lock on the schema for
 * as long as the process lives.
 *
 * Ponder marks a schema locked and lets the mark lapse only 25 s after the last heartbeat of a
 * crashed instance, so a restart after `kill -9` would wait that long. The advisory lock is
 * released the moment the process dies: holding it proves no indexer started this way is alive
 * on the schema, and Ponder's stale mark is cleared so it resumes at once. (A schema must then
 * be served only through gotong, not also by a bare `ponder start`.)
 */
export async function runPonder(options: { logFormat?: 'json' | 'pretty' } = {}): Promise<void> {
  const env = process.env
  const schema = env.DATABASE_SCHEMA ?? ''
  // Settings for the indexer's own sessions (pg reads PGOPTIONS). The index is rebuilt from the
  // chain, and Ponder commits its checkpoint with the rows, so a commit lost to a power cut is
  // indexed again: none need wait for the disk. Ponder builds the schema's indexes once the
  // backfill is done, one at a time; the search terms' GIN index builds faster with memory.
  env.PGOPTIONS = ['-c synchronous_commit=off -c maintenance_work_mem=1GB', env.PGOPTIONS]
    .filter(Boolean)
    .join(' ')
  const lock = new pg.Client({
    connectionString: env.DATABASE_URL,
    application_name: `${schema}_gotong_lock`,
  })
  await lock.connect()
  const { rows } = await lock.query<{ ok: boolean }>(
    'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
    [`gotong-indexer:${schema}`],
  )
  if (!rows[0]?.ok) {
    await lock.end()
    throw new SchemaInUseError(schema)
  }
  const meta = await lock.query<{ name: string | null }>(
    'SELECT to_regclass(format($$%I._ponder_meta$$, $1::text))::text AS name',
    [schema],
  )
  if (meta.rows[0]?.name)
    await lock.query(
      `UPDATE ${meta.rows[0].name} SET value = jsonb_set(value, '{is_locked}', to_jsonb(0)) WHERE key = 'app'`,
    )
  lock.on('error', () => undefined)
  env.PONDER_TELEMETRY_DISABLED = '1'
  const bin = fileURLToPath(new URL('./bin/ponder.js', import.meta.resolve('ponder')))
  process.argv = [
    process.argv[0]!,
    bin,
    '--root',
    appRoot,
    '--log-format',
    options.logFormat ?? 'pretty',
    'start',
    '--schema',
    schema,
    '--hostname',
    env.GOTONG_INDEXER_HOSTNAME ?? '127.0.0.1',
  ]
  await import(bin)
}
