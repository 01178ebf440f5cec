package io.ketch.api.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.ketch.api.http.HttpRequest;
import io.ketch.api.http.HttpResponse;
import io.ketch.api.http.HttpRoutes;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * etcd's JSON gateway (grpc-gateway): POST a request message as JSON to /v3/..., get the answer as
 * JSON. Like etcd's, which dials the member's own gRPC port, it is a client of the member's gRPC
 * services: here through grpc's in-process transport, so every call passes the same interceptors
 * and the same service code as a gRPC client's, with gRPC's flow control for streams, and without
 * serializing anything.
 */
public final class JsonGateway implements AutoCloseable {
  /** The metadata key etcd's server reads the auth token from. */
  private static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

  private static final String FORWARDED_PREFIX = "grpc-metadata-";

  private final Server server;
  private final ManagedChannel channel;
  private final ExecutorService printers;

  private JsonGateway(Server server, ManagedChannel channel, ExecutorService printers) {
    this.server = server;
    this.channel = channel;
    this.printers = printers;
  }

  /**
   * Serves {@code services} in process, behind {@code interceptors} (the first in the list
   * outermost), for the gateway's routes to call.
   */
  public static JsonGateway start(
      List<ServerServiceDefinition> services, List<ServerInterceptor> interceptors)
      throws IOException {
    String name = "ketch-json-gateway-" + UUID.randomUUID();
    // A direct executor: the services never block (they answer from futures), as on the real port.
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
    services.forEach(builder::addService);
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      builder.intercept(interceptors.get(i)); // grpc-java runs the last added first
    }
    Server server = builder.build().start();
    // Answers are turned into JSON on the gateway's own threads: the thread that completes a call
    // is often the apply thread, which must not spend its time printing a large range as JSON.
    ExecutorService printers =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "json-gateway");
              t.setDaemon(true);
              return t;
            });
    return new JsonGateway(
        server, InProcessChannelBuilder.forName(name).executor(printers).build(), printers);
  }

  /** Adds every gateway path under each of etcd's prefixes. */
  public HttpRoutes.Builder register(HttpRoutes.Builder routes) {
    for (String prefix : GatewayRoutes.PREFIXES) {
      for (GatewayRoutes.Route route : GatewayRoutes.ROUTES) {
        routes.post(prefix + route.path(), request -> call(route, request));
      }
    }
    return routes;
  }

  @SuppressWarnings("unchecked")
  private CompletionStage<HttpResponse> call(GatewayRoutes.Route route, HttpRequest request) {
    var method = (MethodDescriptor<Message, Message>) route.method();
    Message prototype =
        (Message)
            ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
                .getMessagePrototype();
    boolean clientStreams = !method.getType().clientSendsOneMessage();
    List<Message> requests;
    try {
      requests = JsonBodies.parseAll(request.body(), prototype);
    } catch (InvalidProtocolBufferException e) {
      // etcd 3.4 answers a body it cannot read 400 InvalidArgument on a unary call, but 500
      // Unknown on a client stream (its gateway decodes that body only once the call is open).
      Status status = clientStreams ? Status.UNKNOWN : Status.INVALID_ARGUMENT;
      return CompletableFuture.completedFuture(
          JsonBodies.error(status.withDescription(e.getMessage())));
    }
    if (!clientStreams) {
      // grpc-gateway reads one message, an empty body being the empty message.
      requests = List.of(requests.isEmpty() ? prototype : requests.get(0));
    }
    ClientCall<Message, Message> call = channel.newCall(method, CallOptions.DEFAULT);
    CompletableFuture<HttpResponse> response;
    if (method.getType().serverSendsOneMessage()) {
      UnaryRelay relay = new UnaryRelay();
      call.start(relay, metadata(request));
      response = relay.response;
    } else {
      StreamRelay relay = new StreamRelay(call);
      call.start(relay, metadata(request));
      response = relay.response;
    }
    call.request(1);
    requests.forEach(call::sendMessage);
    if (!route.keepOpen()) {
      call.halfClose();
    }
    return response;
  }

  /**
   * The call's metadata, from the headers as grpc-gateway forwards them: Authorization carries the
   * auth token, and each Grpc-Metadata-Name header becomes the entry {@code name} (etcd's clients
   * send hasleader=true that way).
   */
  private static Metadata metadata(HttpRequest request) {
    Metadata metadata = new Metadata();
    request
        .headers()
        .forEach(
            (name, value) -> {
              if (name.equals("authorization")) {
                metadata.put(TOKEN, value);
              } else if (name.startsWith(FORWARDED_PREFIX)
                  && !name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                try {
                  metadata.put(
                      Metadata.Key.of(
                          name.substring(FORWARDED_PREFIX.length()),
                          Metadata.ASCII_STRING_MARSHALLER),
                      value);
                } catch (IllegalArgumentException e) {
                  // not a valid metadata name or value: grpc-gateway would not get it through
                  // either
                }
              }
            });
    return metadata;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    printers.shutdownNow();
  }
}
