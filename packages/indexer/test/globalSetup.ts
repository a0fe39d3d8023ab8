import type { TestProject } from 'vitest/node'
import { startTestPostgres } from '../../../test/support/postgres.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server for this run. */
    databaseUrl: string
  }
}

/** One PostgreSQL server for the whole run (each test file makes its own database on it). */
export default async function setup(project: TestProject) {
  const postgres = await startTestPostgres()
  project.provide('databaseUrl', postgres.url)
  return () => postgres.stop()
}
