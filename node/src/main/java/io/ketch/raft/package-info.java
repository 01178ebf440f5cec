/**
 * Raft as a pure state machine, in the style of etcd-io/raft: no threads, no I/O, no clock, no
 * network. The caller ticks it, steps messages into it, and takes {@link io.ketch.raft.Ready}
 * batches out of it; randomness (the election jitter) comes from {@link
 * io.ketch.raft.Config#random()}.
 *
 * <h2>Driving a node</h2>
 *
 * <p>One thread owns a {@link io.ketch.raft.RawNode}. It calls {@code tick()} at a fixed interval
 * (elections and heartbeats are counted in ticks), {@code step(m)} for every message from a peer,
 * {@code propose}/{@code readIndex}/... for local requests, and whenever {@code hasReady()} is
 * true:
 *
 * <ol>
 *   <li>{@code rd = ready()}.
 *   <li>Persist, in one write: {@code rd.entries()} (writing the entry at index i discards every
 *       persisted entry at index >= i), {@code rd.hardState()} if not null, and {@code
 *       rd.snapshot()} if not null. Sync it to disk if {@code rd.mustSync()}: that is when there
 *       are new entries, a snapshot, or the term or vote changed; a new commit index alone need not
 *       be synced, since it can be learned again from the leader.
 *   <li>Send {@code rd.messages()} only once step 2 is durable: a vote, or an acknowledgement of
 *       entries, promises that they survive a crash. The one exception (thesis 10.2.1): messages of
 *       type MSG_APP may be sent before (in parallel with) step 2. Only a leader sends MSG_APP, and
 *       they carry only entries of the leader's log and its commit index; a leader's term and vote
 *       were made durable before it could win its election, and the leader counts its own entries
 *       towards a commit only once {@code advance} reports them persisted, so a follower holding an
 *       entry its leader lost in a crash is harmless (that leader cannot lead again in that term).
 *       Every other message (votes, responses, heartbeats, snapshots, timeout-now, read responses)
 *       must wait. Messages may be lost, duplicated or reordered by the network.
 *   <li>Apply {@code rd.snapshot()} if any, then {@code rd.committedEntries()} in order; for a conf
 *       change entry call {@code applyConfChange} as it is applied. Serve reads from {@code
 *       rd.readStates()} once the applied index reaches their index.
 *   <li>Call {@code advance(rd)}. Only then call {@code ready()} again. ({@code hasReady()} stays
 *       true between {@code ready()} and {@code advance()} while entries are being persisted.)
 * </ol>
 *
 * <p>Membership changes take effect when applied, one at a time (or through a joint configuration).
 * A leader that applies its own removal stops taking proposals and steps down once the remaining
 * voters have its whole log and its commit index (so that they can leave a joint configuration
 * without it); the application may then stop it.
 *
 * <p>A node restarts from its {@link io.ketch.raft.Storage} and {@link
 * io.ketch.raft.Config#applied()}; whatever a Ready held but was not persisted is simply lost.
 * Proposals can be lost too (a leader change drops them): the caller waits for its entry to be
 * applied with a timeout and retries.
 */
package io.ketch.raft;
