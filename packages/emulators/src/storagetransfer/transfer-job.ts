import { invalid, TransferError } from './transfer-error.js';

/** A protobuf Timestamp as the gRPC loader hands it over (`longs: String`). */
export interface Timestamp {
  seconds: string;
  nanos: number;
}

export interface GcsData {
  bucketName?: string;
  path?: string;
  managedFolderTransferEnabled?: boolean;
}

export type OverwriteWhen = 'OVERWRITE_WHEN_UNSPECIFIED' | 'DIFFERENT' | 'NEVER' | 'ALWAYS';

/** `google.storagetransfer.v1.TransferSpec` (transfer_types.proto), the Cloud Storage to Cloud Storage part. */
export interface TransferSpec {
  gcsDataSource?: GcsData;
  gcsDataSink?: GcsData;
  objectConditions?: { includePrefixes?: string[]; excludePrefixes?: string[]; [field: string]: unknown };
  transferOptions?: {
    overwriteObjectsAlreadyExistingInSink?: boolean;
    deleteObjectsUniqueInSink?: boolean;
    deleteObjectsFromSourceAfterTransfer?: boolean;
    overwriteWhen?: OverwriteWhen;
    metadataOptions?: unknown;
  };
  transferManifest?: { location?: string };
  [field: string]: unknown;
}

export type JobStatus = 'STATUS_UNSPECIFIED' | 'ENABLED' | 'DISABLED' | 'DELETED';

/** `google.storagetransfer.v1.TransferJob` with proto3 JSON field names; fields not modelled here are kept. */
export interface TransferJob {
  name?: string;
  description?: string;
  projectId?: string;
  transferSpec?: TransferSpec;
  status?: JobStatus;
  creationTime?: Timestamp;
  lastModificationTime?: Timestamp;
  deletionTime?: Timestamp;
  latestOperationName?: string;
  [field: string]: unknown;
}

// TransferJob.name: "must start with "transferJobs/" prefix and end with a letter or a number, and should be no more
// than 128 characters", example `transferJobs/^(?!OPI)[A-Za-z0-9-._~]*[A-Za-z0-9]$`; OPI names are for POSIX transfers.
const JOB_NAME = /^transferJobs\/[A-Za-z0-9\-._~]*[A-Za-z0-9]$/;
const POSIX_JOB_NAME = /^transferJobs\/OPI/;
const MAX_JOB_NAME = 128;
const MAX_DESCRIPTION_BYTES = 1024;
const MAX_PREFIXES = 1000;
const MAX_PREFIX_BYTES = 1024;

/** Sources and sinks other than Cloud Storage exist in the API but not in this emulator. */
const OTHER_SOURCES = [
  'awsS3DataSource',
  'httpDataSource',
  'posixDataSource',
  'azureBlobStorageDataSource',
  'awsS3CompatibleDataSource',
  'hdfsDataSource',
];

export function checkJobName(name: string): void {
  if (name.length > MAX_JOB_NAME || !JOB_NAME.test(name) || POSIX_JOB_NAME.test(name))
    throw invalid(
      `Invalid job name "${name}": it must start with "transferJobs/", end with a letter or a number, hold only ` +
        `[A-Za-z0-9-._~], be at most ${MAX_JOB_NAME} characters, and not start with "transferJobs/OPI" (POSIX transfers only).`,
    );
}

/** A `gs://bucket/object` manifest location (TransferManifest.location: "An example path is gs://bucket_name/path/manifest.csv"). */
export function parseGsUrl(url: string): { bucket: string; name: string } | undefined {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(url);
  return m ? { bucket: m[1]!, name: m[2]! } : undefined;
}

/** Cloud Storage's bucket naming rules (https://cloud.google.com/storage/docs/buckets#naming), the dotless form's length. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

function checkGcsData(data: GcsData | undefined, field: string): void {
  if (!data?.bucketName) throw invalid(`${field}.bucket_name is required.`);
  if (!BUCKET_NAME.test(data.bucketName))
    throw invalid(`${field}.bucket_name "${data.bucketName}" is not a valid bucket name.`);
  // GcsData.path: "Must be an empty string or full path name that ends with a '/'."
  if (data.path && !data.path.endsWith('/'))
    throw invalid(`${field}.path "${data.path}" must be empty or end with "/".`);
  if (data.path?.startsWith('/')) throw invalid(`${field}.path "${data.path}" must not begin with "/".`);
}

/** ObjectConditions.include_prefixes / exclude_prefixes requirements, as transfer_types.proto lists them. */
function checkPrefixes(list: string[] | undefined, field: string): string[] {
  const prefixes = list ?? [];
  if (prefixes.length > MAX_PREFIXES) throw invalid(`${field} holds more than ${MAX_PREFIXES} prefixes.`);
  for (const p of prefixes) {
    if (!p) throw invalid(`${field} must not hold an empty prefix.`);
    if (/[\r\n]/.test(p)) throw invalid(`${field} prefix "${p}" must not contain CR or LF.`);
    if (Buffer.byteLength(p) > MAX_PREFIX_BYTES) throw invalid(`${field} prefix is over ${MAX_PREFIX_BYTES} bytes.`);
    if (p.startsWith('/')) throw invalid(`${field} prefix "${p}" must omit the leading slash.`);
    const other = prefixes.find((q) => q !== p && p.startsWith(q));
    if (other) throw invalid(`${field} prefix "${other}" is a prefix of "${p}": each must be a distinct portion.`);
  }
  return prefixes;
}

/** A complete TransferSpec, as CreateTransferJob and an UpdateTransferJob of `transfer_spec` require. */
export function checkTransferSpec(spec: TransferSpec | undefined): void {
  if (!spec) throw invalid('transfer_spec is required.');
  const other = OTHER_SOURCES.find((f) => spec[f] !== undefined);
  if (other || spec.posixDataSink !== undefined)
    throw new TransferError(
      'UNIMPLEMENTED',
      `${other ?? 'posixDataSink'}: this emulator transfers between Cloud Storage buckets only.`,
    );
  if (!spec.gcsDataSource) throw invalid('transfer_spec must name a data source.');
  if (!spec.gcsDataSink) throw invalid('transfer_spec must name a data sink.');
  checkGcsData(spec.gcsDataSource, 'transfer_spec.gcs_data_source');
  checkGcsData(spec.gcsDataSink, 'transfer_spec.gcs_data_sink');
  const includes = checkPrefixes(spec.objectConditions?.includePrefixes, 'object_conditions.include_prefixes');
  const excludes = checkPrefixes(spec.objectConditions?.excludePrefixes, 'object_conditions.exclude_prefixes');
  // "If include_prefixes is specified, then each exclude-prefix must start with the value of a path explicitly included".
  if (includes.length)
    for (const e of excludes)
      if (!includes.some((i) => e.startsWith(i)))
        throw invalid(`exclude prefix "${e}" does not start with any include prefix.`);
  const options = spec.transferOptions ?? {};
  // TransferOptions: the two deletions "are mutually exclusive".
  if (options.deleteObjectsUniqueInSink && options.deleteObjectsFromSourceAfterTransfer)
    throw invalid(
      'delete_objects_unique_in_sink and delete_objects_from_source_after_transfer are mutually exclusive.',
    );
  if (options.deleteObjectsUniqueInSink && spec.transferManifest?.location)
    throw invalid('delete_objects_unique_in_sink cannot be used with a transfer manifest.');
  if (options.deleteObjectsUniqueInSink)
    throw new TransferError('UNIMPLEMENTED', 'delete_objects_unique_in_sink is not emulated.');
  if (spec.transferManifest?.location !== undefined && !parseGsUrl(spec.transferManifest.location))
    throw invalid(
      `transfer_manifest.location "${spec.transferManifest.location}" must be a Cloud Storage object: gs://bucket/object.`,
    );
}

/** What CreateTransferJob checks before storing a job. */
export function checkNewJob(job: TransferJob | undefined): TransferJob {
  if (!job) throw invalid('transfer_job is required.');
  if (!job.projectId) throw invalid('transfer_job.project_id is required.');
  if (job.name) checkJobName(job.name);
  // TransferJob.status: "This value MUST be specified for CreateTransferJobRequests."
  if (!job.status || job.status === 'STATUS_UNSPECIFIED') throw invalid('transfer_job.status must be specified.');
  if (job.status === 'DELETED') throw invalid('A transfer job cannot be created DELETED.');
  if (job.replicationSpec !== undefined || job.eventStream !== undefined)
    throw new TransferError('UNIMPLEMENTED', 'replication and event-driven jobs are not emulated.');
  checkDescription(job.description);
  checkTransferSpec(job.transferSpec);
  return job;
}

export function checkDescription(description: string | undefined): void {
  if (description && Buffer.byteLength(description) > MAX_DESCRIPTION_BYTES)
    throw invalid(`description is over ${MAX_DESCRIPTION_BYTES} bytes.`);
}

/** UpdateTransferJobRequest: "Fields in transferJob that can be updated are" these five; others are INVALID_ARGUMENT. */
export const UPDATABLE_FIELDS = new Set([
  'description',
  'transferSpec',
  'notificationConfig',
  'loggingConfig',
  'status',
]);
