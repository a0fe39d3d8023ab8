#!/usr/bin/env node
import { main } from '../dist/main.js'

await main()
// The agent is stopped and its stores closed; timers still pending (a provider's open
// negotiation sessions) must not keep the process alive.
process.exit()
