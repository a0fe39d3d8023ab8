import type { Suite } from '../harness.js'
import { directory } from './directory.js'
import { gas } from './gas.js'
import { mcp } from './mcp.js'
import { negotiation } from './negotiation.js'
import { oneOffCall } from './oneOffCall.js'
import { paidCall } from './paidCall.js'
import { payments } from './payments.js'
import { replicas } from './replicas.js'
import { settlement } from './settlement.js'
import { swarm } from './swarm.js'
import { swarmScale } from './swarmScale.js'
import { transport } from './transport.js'
import { trust } from './trust.js'

/** Every suite, in the order `npm run bench` runs them. */
export const suites: Suite[] = [
  payments,
  transport,
  directory,
  negotiation,
  paidCall,
  replicas,
  mcp,
  settlement,
  oneOffCall,
  trust,
  swarmScale,
  swarm,
  gas,
]
