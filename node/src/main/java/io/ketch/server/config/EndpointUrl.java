package io.ketch.server.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * One URL of an etcd URL flag (--listen-client-urls and friends), split into its parts. etcd
 * accepts only {@code scheme://host:port} with no path; Ketch speaks plaintext only, so the scheme
 * must be http.
 */
public record EndpointUrl(String scheme, String host, int port) {

  /** Parses one URL with etcd's checks and error messages (client/pkg/types/urls.go). */
  public static EndpointUrl parse(String text) throws ConfigException {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException("invalid URL " + text + ": " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    switch (scheme) {
      case "http" -> {}
      case "https", "unix", "unixs" ->
          throw new ConfigException(
              "URL scheme " + scheme + " is not supported by Ketch (plaintext http only): " + text);
      default ->
          throw new ConfigException("URL scheme must be http, https, unix, or unixs: " + text);
    }
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new ConfigException("URL address does not have the form \"host:port\": " + text);
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      throw new ConfigException("URL must not contain a path: " + text);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new EndpointUrl(scheme, host, uri.getPort());
  }

  /**
   * The address to bind or dial; the host is resolved now (a listen URL names an IP or localhost).
   */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port;
  }
}
