export {
  type CreateDatasetStatsToolOptions,
  createDatasetStatsTool,
  DatasetStatsInput,
  datasetStatsTool,
} from './datasetStatsTool.js'
export { DatasetError, type DatasetErrorCode } from './errors.js'
export { maxColumns, type ParseCsvOptions, parseCsv } from './parseCsv.js'
export {
  ColumnProfile,
  ColumnType,
  Correlation,
  DatasetProfile,
  NumericSummary,
  type ProfileDatasetOptions,
  profileDataset,
} from './profileDataset.js'
