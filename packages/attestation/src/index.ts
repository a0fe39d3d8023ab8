export { assertAttested } from './assertAttested.js'
export { attestationDomainTag, attestationReportData } from './attestationReportData.js'
export { attestedManifestHash } from './attestedManifestHash.js'
export {
  type AttestableListing,
  type AttestListingParameters,
  attestListing,
} from './attestListing.js'
export { Collateral } from './collateral.js'
export { AttestationError, type AttestationErrorCode } from './errors.js'
export {
  attestationOf,
  ManifestAttestation,
  manifestAttestation,
  manifestAttestationKey,
} from './manifestAttestation.js'
export {
  Measurement,
  Measurements,
  matchesMeasurements,
  QuoteMeasurements,
} from './measurements.js'
export {
  type AttestationPolicy,
  type RequireAttestationParameters,
  requireAttestation,
} from './requireAttestation.js'
export { AttestationVerdict, RefusalCode, TcbStatus } from './verdict.js'
export {
  defaultAcceptedTcbStatuses,
  type VerifyAttestationParameters,
  verifyAttestation,
} from './verifyAttestation.js'
