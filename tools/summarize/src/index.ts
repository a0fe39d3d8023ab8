export { SummarizeError, type SummarizeErrorCode } from './errors.js'
export {
  type SummarizeExtractiveOptions,
  Summary,
  summarizeExtractive,
} from './summarizeExtractive.js'
export {
  type CreateSummarizeToolOptions,
  createSummarizeTool,
  SummarizeInput,
  type SummarizeModel,
  summarizeTool,
} from './summarizeTool.js'
