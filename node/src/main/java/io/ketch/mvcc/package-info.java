/**
 * The revisioned key-value store (etcd's storage/mvcc), in memory.
 *
 * <p>{@link io.ketch.mvcc.KvStore}: revisions start at 1; each write txn ({@link
 * io.ketch.mvcc.KvStore#write()} -> {@link io.ketch.mvcc.TxnWrite}) that changes something gets the
 * next revision; range with every RangeRequest option; compaction; HashKV; snapshot and restore.
 * {@link io.ketch.mvcc.WatchableStore} wraps it with watchers grouped per client stream ({@link
 * io.ketch.mvcc.WatchStream}).
 *
 * <p>Threads: the member's apply thread is the only writer (write txns, compact, and, through the
 * commit notification, the fan-out to synced watchers); gRPC threads read (range, hashKv,
 * writeSnapshot) and manage watch streams concurrently; one dispatcher thread owned by
 * WatchableStore catches up lagging watchers. Lock order: KvStore's read-write lock, then
 * WatchableStore's lock.
 */
package io.ketch.mvcc;
