export {
  defineTool,
  type Tool,
  type ToolContext,
  type ToolJsonSchema,
  type ToolManifestExtensions,
  type ToolModel,
} from './defineTool.js'
export { type InputIssue, inputIssues } from './inputIssues.js'
export { isToolInputError, ToolInputError } from './toolInputError.js'
