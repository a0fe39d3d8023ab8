import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { bigintReplacer, SignedAgreement } from '@gotong/core'

/** Agreements saved by a serving agent, one JSON line each; unreadable lines are skipped. */
export function loadAgreements(file: string): SignedAgreement[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        const parsed = SignedAgreement.safeParse(JSON.parse(line))
        return parsed.success ? [parsed.data] : []
      } catch {
        return []
      }
    })
}

/** Appends one agreement, so a restarted agent still honours it. */
export function saveAgreement(file: string, agreement: SignedAgreement): void {
  appendFileSync(file, `${JSON.stringify(agreement, bigintReplacer)}\n`)
}
