/**
 * Backups and restore. {@link io.ketch.operator.backup.EtcdBackupReconciler} takes one-shot
 * EtcdBackups: a member's Maintenance.Snapshot is spooled through {@code SnapshotDigest} (which
 * checks etcd's SHA-256 trailer) and uploaded to S3-compatible storage by {@code S3Store}, which
 * reads it back to compare the SHA-256. {@link io.ketch.operator.backup.BackupScheduler} turns an
 * EtcdCluster's spec.backup into EtcdBackups on a cron schedule ({@code CronSchedule}) and applies
 * retention. {@link io.ketch.operator.backup.RestoreStep} gives a cluster with
 * spec.bootstrap.fromBackup the init containers that turn the snapshot into the seed member's data
 * dir; {@link io.ketch.operator.backup.FetchSnapshot} is the first of them.
 *
 * <p>What the rest of the operator relies on: scheduled backups are EtcdBackup resources owned by
 * their EtcdCluster and labelled {@code app.kubernetes.io/instance=<cluster>}; the EtcdCluster
 * reconciler copies the newest Succeeded EtcdBackup naming the cluster into status.lastBackup; the
 * restore init containers leave a restored data dir at the member's --data-dir only when that dir
 * is empty and the member is the bootstrapping seed.
 */
package io.ketch.operator.backup;
