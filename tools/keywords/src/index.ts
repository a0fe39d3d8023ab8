export {
  type ExtractKeywordsOptions,
  extractKeywords,
  Keyword,
  KeywordsResult,
} from './extractKeywords.js'
export { KeywordsInput, keywordsTool } from './keywordsTool.js'
export { englishStopwords, isContentWord, splitSentences, tokenize } from './text.js'
