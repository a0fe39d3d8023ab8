export { main } from './main.js'
export { start, type TextProviderOptions, textProviderDefaults } from './start.js'
