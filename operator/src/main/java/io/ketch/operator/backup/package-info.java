/**
 * Backups and restore: EtcdBackup and scheduled backups stream Maintenance.Snapshot to
 * S3-compatible storage or a volume claim, retention, and the restore step that turns a snapshot
 * into a member's data dir.
 *
 * <p>What the rest of the operator expects of this package: scheduled backups are EtcdBackup
 * resources owned by their EtcdCluster and labelled {@code app.kubernetes.io/instance=<cluster>};
 * the EtcdCluster reconciler copies the newest Succeeded EtcdBackup naming the cluster
 * (spec.clusterRef) into the cluster's status.lastBackup. For a cluster with
 * spec.bootstrap.fromBackup the StatefulSet gets the restore init containers and volumes this
 * package provides; they must leave a restored data dir at the member's --data-dir, and only when
 * that dir is empty.
 */
package io.ketch.operator.backup;
