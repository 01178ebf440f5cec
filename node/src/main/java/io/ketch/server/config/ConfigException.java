package io.ketch.server.config;

/** A setting that cannot be accepted; the message is meant for the operator, as etcd words it. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
