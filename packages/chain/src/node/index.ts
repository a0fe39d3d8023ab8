export { anvilBinaryPath } from './anvilBinary.js'
export { readDeployments, writeDeployments } from './deploymentsFile.js'
export {
  type Devnet,
  type DevnetAccount,
  type StartDevnetOptions,
  startDevnet,
} from './startDevnet.js'
