/** Request authentication (PROTOCOL.md §2): commitment strings and the timestamp window. */
export {
  COMMITMENT_FORMATS,
  COMMITMENT_TEMPLATES,
  type CommitmentFormat,
  type CommitmentName,
  type CommitmentValues,
  acceptedStatusCommitments,
  assignmentCurrentCommitment,
  folderAccessCommitment,
  minerSpecificAccessCommitment,
  minerStatusCommitment,
  minerUploadCommitment,
  renderCommitment,
  statusCommitment,
  validationCommitment,
  validationResultsCommitment,
  validatorAccessCommitment,
  validatorUploadCommitment,
} from './commitments.js';
export {
  TIMESTAMP_MAX_AGE_SECONDS,
  TIMESTAMP_MAX_FUTURE_SECONDS,
  TIMESTAMP_WINDOW_SECONDS,
  checkTimestampWindow,
} from './timestamp-window.js';
