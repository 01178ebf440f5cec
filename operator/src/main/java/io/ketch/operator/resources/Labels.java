package io.ketch.operator.resources;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The app.kubernetes.io labels every object of a cluster carries; the selector labels never change.
 */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String VERSION = "app.kubernetes.io/version";

  public static final String APP = "etcd";
  public static final String OPERATOR = "ketch-operator";

  private Labels() {}

  /** Selects a cluster's member pods; immutable in a StatefulSet, so nothing version-specific. */
  public static Map<String, String> selector(String cluster) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, cluster);
    return labels;
  }

  public static String selectorString(String cluster) {
    return NAME + "=" + APP + "," + INSTANCE + "=" + cluster;
  }

  public static Map<String, String> of(String cluster, String component) {
    Map<String, String> labels = selector(cluster);
    labels.put(COMPONENT, component);
    labels.put(MANAGED_BY, OPERATOR);
    return labels;
  }
}
