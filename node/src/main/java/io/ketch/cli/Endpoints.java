package io.ketch.cli;

import io.grpc.EquivalentAddressGroup;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Opens one plaintext gRPC channel over all of etcdctl's --endpoints: a fixed address list handed
 * to pick_first, which tries them in order and moves on when one fails (the Go client balances; for
 * a command-line client failover is what matters).
 */
final class Endpoints {
  private static final String SCHEME = "ketchctl-endpoints";

  private Endpoints() {}

  /** Opens a channel to the given endpoints ("host:port" or "http://host:port"). */
  static ManagedChannel open(List<String> endpoints) {
    List<SocketAddress> addresses = endpoints.stream().map(Endpoints::address).toList();
    NameResolverRegistry registry = new NameResolverRegistry();
    registry.register(new FixedAddresses(addresses, endpoints.get(0)));
    return Grpc.newChannelBuilder(
            SCHEME + ":///endpoints", InsecureChannelCredentials.create(), registry)
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .build();
  }

  static SocketAddress address(String endpoint) {
    String hostPort = endpoint;
    if (endpoint.startsWith("http://")) {
      hostPort = endpoint.substring("http://".length());
    } else if (endpoint.contains("://")) {
      throw CliException.badArgs(
          "unsupported endpoint " + endpoint + " (only plaintext http:// is supported)");
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw CliException.badArgs("bad endpoint " + endpoint + " (expected host:port)");
    }
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    try {
      return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw CliException.badArgs("bad endpoint " + endpoint + " (" + e.getMessage() + ")");
    }
  }

  private static final class FixedAddresses extends NameResolverProvider {
    private final List<SocketAddress> addresses;
    private final String authority;

    FixedAddresses(List<SocketAddress> addresses, String authority) {
      this.addresses = addresses;
      this.authority = authority.replaceFirst("^http://", "");
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
      return new NameResolver() {
        @Override
        public String getServiceAuthority() {
          return authority;
        }

        @Override
        public void start(Listener2 listener) {
          listener.onResult(
              ResolutionResult.newBuilder()
                  .setAddresses(List.of(new EquivalentAddressGroup(addresses)))
                  .build());
        }

        @Override
        public void shutdown() {}
      };
    }

    @Override
    public String getDefaultScheme() {
      return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
      return true;
    }

    @Override
    protected int priority() {
      return 5;
    }
  }
}
