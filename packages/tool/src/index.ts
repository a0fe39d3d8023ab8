export { defineTool, type Tool, type ToolContext } from './defineTool.js'
export { isToolInputError, ToolInputError } from './toolInputError.js'
