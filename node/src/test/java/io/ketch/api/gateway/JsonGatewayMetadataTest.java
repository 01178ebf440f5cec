package io.ketch.api.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.StreamObserver;
import io.ketch.api.http.HttpRequest;
import io.ketch.api.http.HttpResponse;
import io.ketch.api.http.HttpRoutes;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What the gateway hands the services besides the message: the headers, as metadata. */
class JsonGatewayMetadataTest {

  @Test
  void authorizationBecomesTheTokenAndGrpcMetadataHeadersPassThrough() throws Exception {
    AtomicReference<Metadata> seen = new AtomicReference<>();
    ServerInterceptor recorder =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            seen.set(headers);
            return next.startCall(call, headers);
          }
        };
    KVGrpc.KVImplBase kv =
        new KVGrpc.KVImplBase() {
          @Override
          public void range(RangeRequest request, StreamObserver<RangeResponse> response) {
            response.onNext(RangeResponse.newBuilder().setCount(request.getLimit()).build());
            response.onCompleted();
          }
        };
    try (JsonGateway gateway = JsonGateway.start(List.of(kv.bindService()), List.of(recorder))) {
      HttpRoutes routes = gateway.register(HttpRoutes.builder()).build();

      var response =
          (HttpResponse.Full)
              routes
                  .dispatch(
                      new HttpRequest(
                          "POST",
                          "/v3/kv/range",
                          Map.of(),
                          Map.of(
                              "authorization", "secret-token",
                              "grpc-metadata-hasleader", "true",
                              "content-type", "application/x-www-form-urlencoded"),
                          "{\"limit\":\"3\"}".getBytes(UTF_8)))
                  .toCompletableFuture()
                  .get(10, TimeUnit.SECONDS);

      assertThat(new String(response.body(), UTF_8)).isEqualTo("{\"count\":\"3\"}");
      Metadata headers = seen.get();
      assertThat(headers.get(Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER)))
          .isEqualTo("secret-token");
      assertThat(headers.get(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER)))
          .isEqualTo("true");
      assertThat(headers.get(Metadata.Key.of("content-type", Metadata.ASCII_STRING_MARSHALLER)))
          .isNotEqualTo("application/x-www-form-urlencoded");
    }
  }
}
