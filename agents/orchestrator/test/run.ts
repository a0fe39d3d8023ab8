// Runs the orchestrator as bin/start.js does, from the TypeScript sources.
import { main } from '../src/main.js'

await main()
process.exit()
