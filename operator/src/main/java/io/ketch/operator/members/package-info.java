/**
 * The running cluster as the operator sees it through the public etcd v3 API (jetcd): member list,
 * add as learner, promote, remove, status, health, leadership transfer. Reconcilers use the {@code
 * Members} interface, so their tests can fake a cluster.
 */
package io.ketch.operator.members;
