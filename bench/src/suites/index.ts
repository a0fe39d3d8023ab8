import type { Suite } from '../harness.js'

/** Every suite, in the order `npm run bench` runs them. */
export const suites: Suite[] = []
