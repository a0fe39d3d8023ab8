export { main } from './main.js'
export { type StatsProviderOptions, start, statsProviderDefaults } from './start.js'
