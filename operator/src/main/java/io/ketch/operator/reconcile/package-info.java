/**
 * The EtcdCluster reconciler (java-operator-sdk): an ordered chain of small, repeatable steps and
 * the status.
 */
package io.ketch.operator.reconcile;
