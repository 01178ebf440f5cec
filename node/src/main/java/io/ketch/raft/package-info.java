/**
 * Raft as a pure state machine, in the style of etcd-io/raft: no threads, no I/O, no clock, no
 * network. The caller ticks it, steps messages into it, and takes {@code Ready} batches out of it.
 */
package io.ketch.raft;
