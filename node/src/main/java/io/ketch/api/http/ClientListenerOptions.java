package io.ketch.api.http;

import java.time.Duration;

/**
 * How the client port behaves.
 *
 * @param maxInboundMessageSize the largest gRPC message accepted: --max-request-bytes + 512 KiB
 * @param maxHttpBodyBytes the largest HTTP/1.1 request body (JSON gateway bodies carry base64)
 * @param permitKeepAliveTime the shortest client ping interval tolerated; etcd's 5 s (grpc-java's
 *     default of 5 min would drop jetcd and kube-apiserver, which ping idle connections)
 * @param firstBytesTimeout how long a new connection may stay silent before it is closed
 * @param httpIdleTimeout how long an HTTP/1.1 keep-alive connection may idle between requests
 * @param shutdownGrace how long close() lets calls in flight finish
 */
public record ClientListenerOptions(
    int maxInboundMessageSize,
    int maxHttpBodyBytes,
    Duration permitKeepAliveTime,
    Duration firstBytesTimeout,
    Duration httpIdleTimeout,
    Duration shutdownGrace) {

  /** etcd's settings for a given --max-request-bytes. */
  public static ClientListenerOptions forMaxRequestBytes(int maxRequestBytes) {
    int inbound = maxRequestBytes + 512 * 1024;
    return new ClientListenerOptions(
        inbound,
        inbound * 2,
        Duration.ofSeconds(5),
        Duration.ofSeconds(120),
        Duration.ofMinutes(5),
        Duration.ofSeconds(5));
  }

  public ClientListenerOptions withFirstBytesTimeout(Duration timeout) {
    return new ClientListenerOptions(
        maxInboundMessageSize,
        maxHttpBodyBytes,
        permitKeepAliveTime,
        timeout,
        httpIdleTimeout,
        shutdownGrace);
  }

  public ClientListenerOptions withHttpIdleTimeout(Duration timeout) {
    return new ClientListenerOptions(
        maxInboundMessageSize,
        maxHttpBodyBytes,
        permitKeepAliveTime,
        firstBytesTimeout,
        timeout,
        shutdownGrace);
  }
}
