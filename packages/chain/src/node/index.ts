export { anvilBinaryPath } from './anvilBinary.js'
export { readDeployments, writeDeployments } from './deploymentsFile.js'
export { parentDeathPrefix } from './parentDeathSignal.js'
export {
  type Devnet,
  type DevnetAccount,
  type StartDevnetOptions,
  startDevnet,
} from './startDevnet.js'
