/** Plan step ids of the backup commands: the plans name them, the apply reports them done (audit outcome). */
export const backupStep = {
  scaleDown: (workload: string) => `scale-down/${workload}`,
  scaleUp: (workload: string) => `scale-up/${workload}`,
  copyBlobs: 'copy-blobs',
  writeManifest: 'write-manifest',
  deleteBackup: (id: string) => `delete-backup/${id}`,
  collectBlobs: 'collect-blobs',
  createBucket: (bucket: string) => `create-bucket/${bucket}`,
  restore: (bucket: string) => `restore/${bucket}`,
  overwrite: (name: string) => `overwrite/${name}`,
  /** The overwrites past those a restore plan names one by one. */
  overwriteMore: (bucket: string) => `overwrite-more/${bucket}`,
  deleteObject: (name: string) => `delete/${name}`,
  deleteMore: (bucket: string) => `delete-more/${bucket}`,
};
