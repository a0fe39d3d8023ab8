// The tool contract lives in @gotong/tool so tools can be written without the agent runtime;
// re-exported here so the agent's modules and its public API keep one import path.
export {
  defineTool,
  inputIssues,
  isToolInputError,
  type Tool,
  type ToolContext,
  ToolInputError,
} from '@gotong/tool'
