package io.ketch.server.config;

/** --initial-cluster-state: bootstrap a new cluster, or join one that exists. */
public enum ClusterState {
  NEW,
  EXISTING
}
