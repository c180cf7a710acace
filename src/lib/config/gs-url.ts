/** The `gs://bucket` or `gs://bucket/object` form gcloud and the console use, for messages, plan targets and records. */
export const gsUrl = (bucket: string, name?: string) =>
  name === undefined ? `gs://${bucket}` : `gs://${bucket}/${name}`;
