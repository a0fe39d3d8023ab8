export { main } from './main.js'
export {
  type CapabilityOffer,
  OfferPolicy,
  offersFromListings,
  type RejectedOffer,
  rankOffers,
} from './offers.js'
export { type Capability, capabilities, type JobStep, planJob, textColumns } from './plan.js'
export {
  type CallRecord,
  type ReportInput,
  renderCalls,
  renderIssues,
  renderReport,
  type StepIssue,
} from './renderReport.js'
export { createReportTool, DatasetReport, defaultGoal } from './reportTool.js'
export { JobRequest, type JobResult, type RunJobParameters, runJob } from './runJob.js'
export { type OrchestratorOptions, start } from './start.js'
