export { AgentEnv, type AgentSetup, readAgentEnv } from './readAgentEnv.js'
export { type RunAloneOptions, runAlone } from './runAlone.js'
export {
  type AgentStartOptions,
  type Offer,
  type RunningAgent,
  type ServedOffer,
  startProvider,
} from './startProvider.js'
