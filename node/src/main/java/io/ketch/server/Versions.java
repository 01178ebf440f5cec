package io.ketch.server;

/**
 * The etcd versions Ketch reports. kube-apiserver turns on its watch-progress requests only for
 * servers at 3.4.31+ or 3.5.13+, so the server version is a 3.5 release past that; Ketch implements
 * the 3.5 API.
 */
public final class Versions {
  public static final String SERVER = "3.5.17";
  public static final String CLUSTER = "3.5.0";
  public static final String STORAGE = "3.5.0";

  private Versions() {}
}
