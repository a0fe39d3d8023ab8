export { main } from './main.js'
export {
  type PremiumProviderOptions,
  premiumDatasetStatsTool,
  premiumProviderDefaults,
  start,
} from './start.js'
