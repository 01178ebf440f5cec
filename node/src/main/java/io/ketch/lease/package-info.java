/**
 * The lessor, after etcd's server/lease: leases, their TTLs, the keys attached to them, and their
 * expiry. It knows nothing of Raft, gRPC or mvcc, has no threads and reads time from an injected
 * monotonic clock. State changes arrive from the member's apply thread (they went through the log);
 * expiry, renewal and checkpoint scheduling are the leader's business and are driven by the
 * member's raft side. See {@link io.ketch.lease.Lessor} for which method belongs to which side.
 */
package io.ketch.lease;
