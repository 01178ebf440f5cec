/**
 * The custom resources as fabric8 model classes: EtcdCluster and EtcdBackup, with the types they
 * share. The CRDs in crds/ are generated from these classes (crd-generator-maven-plugin);
 * validation, defaults and printer columns are annotations here, so the schema and the code cannot
 * drift apart.
 */
package io.ketch.operator.model;
