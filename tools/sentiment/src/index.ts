export {
  type AnalyzeSentimentOptions,
  analyzeSentiment,
  SentimentResult,
  TextSentiment,
} from './analyzeSentiment.js'
export { SentimentInput, sentimentTool } from './sentimentTool.js'
