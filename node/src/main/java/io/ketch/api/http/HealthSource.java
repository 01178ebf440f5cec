package io.ketch.api.http;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** What the health endpoints ask of the member. The member implements it; tests fake it. */
public interface HealthSource {

  /** Whether this member knows a leader (Raft's leader field is not None). */
  boolean hasLeader();

  /** The active alarms by etcd's AlarmType name: "NOSPACE", "CORRUPT". */
  List<String> activeAlarms();

  /**
   * A linearizable read (a range of one key, keys only) through ReadIndex; completes exceptionally
   * with the error a client would get. Must not block the caller.
   */
  CompletionStage<Void> linearizableRead();

  /** A serializable (local) read; completes exceptionally on failure. */
  CompletionStage<Void> serializableRead();

  /** Whether this member is a learner (a non-voting member). */
  boolean isLearner();

  /** The cluster version as etcd reports it ("3.5.0"), or "not_decided" before it is known. */
  String clusterVersion();
}
