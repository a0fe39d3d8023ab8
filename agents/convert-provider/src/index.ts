export { main } from './main.js'
export { type ConvertProviderOptions, convertProviderDefaults, start } from './start.js'
