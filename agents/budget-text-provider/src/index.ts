export { main } from './main.js'
export { type BudgetTextProviderOptions, budgetTextProviderDefaults, start } from './start.js'
