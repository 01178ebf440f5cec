/**
 * Desired state as pure functions: the Services, StatefulSet, PodDisruptionBudget and ConfigMap an
 * EtcdCluster should have. Nothing here talks to an API server; the reconciler applies what these
 * return.
 */
package io.ketch.operator.resources;
