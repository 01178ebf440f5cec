package io.ketch.api.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.mvcc.KeyValue;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {

  @Test
  void aBodyIsASequenceOfJsonValuesWhateverTheSpacingOrTheBracesInStrings() {
    assertThat(JsonBodies.topLevelValues(" {\"a\":\"}{\\\"\"}\n{\"b\":[1,{}]}{}  "))
        .containsExactly("{\"a\":\"}{\\\"\"}", "{\"b\":[1,{}]}", "{}");
    assertThat(JsonBodies.topLevelValues("")).isEmpty();
    assertThat(JsonBodies.topLevelValues("{bad")).containsExactly("{bad");
  }

  @Test
  void parsesSnakeAndCamelNamesInt64FromNumbersOrStringsAndIgnoresUnknownFields() throws Exception {
    var requests =
        JsonBodies.parseAll(
            "{\"key\":\"Zm9v\",\"range_end\":\"Zm9w\",\"limit\":\"5\",\"countOnly\":true,\"x\":1}"
                .getBytes(UTF_8),
            RangeRequest.getDefaultInstance());

    assertThat(requests)
        .containsExactly(
            RangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("foo"))
                .setRangeEnd(ByteString.copyFromUtf8("fop"))
                .setLimit(5)
                .setCountOnly(true)
                .build());
    assertThat(
            JsonBodies.parseAll(
                "{\"ID\":1} {\"ID\":\"2\"}".getBytes(UTF_8),
                LeaseKeepAliveRequest.getDefaultInstance()))
        .hasSize(2);
    assertThatThrownBy(
            () ->
                JsonBodies.parseAll(
                    "{\"key\":5".getBytes(UTF_8), RangeRequest.getDefaultInstance()))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void anUnknownEnumNameIsAnErrorEvenAmongUnknownFields() throws Exception {
    assertThatThrownBy(
            () ->
                JsonBodies.parseAll(
                    "{\"key\":\"Zm9v\",\"sort_order\":\"NOPE\"}".getBytes(UTF_8),
                    RangeRequest.getDefaultInstance()))
        .hasMessageContaining("NOPE");
    assertThat(
            JsonBodies.parseAll(
                "{\"x\":{\"y\":1},\"sort_order\":\"DESCEND\"}".getBytes(UTF_8),
                RangeRequest.getDefaultInstance()))
        .containsExactly(
            RangeRequest.newBuilder().setSortOrder(RangeRequest.SortOrder.DESCEND).build());
  }

  @Test
  void printsProtoNamesInt64AsStringsBytesInBase64AndNoDefaults() {
    RangeResponse response =
        RangeResponse.newBuilder()
            .setHeader(ResponseHeader.newBuilder().setClusterId(7).setRevision(2))
            .addKvs(
                KeyValue.newBuilder()
                    .setKey(ByteString.copyFromUtf8("foo"))
                    .setCreateRevision(2)
                    .setModRevision(2)
                    .setVersion(1))
            .setCount(1)
            .build();

    assertThat(JsonBodies.print(response))
        .isEqualTo(
            "{\"header\":{\"cluster_id\":\"7\",\"revision\":\"2\"},\"kvs\":[{\"key\":\"Zm9v\","
                + "\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\"}],"
                + "\"count\":\"1\"}");
  }

  @Test
  void errorsHaveGrpcGatewaysShapeAndStatus() throws Exception {
    var response =
        (io.ketch.api.http.HttpResponse.Full)
            JsonBodies.error(Status.FAILED_PRECONDITION.withDescription("say \"no\"\n"));

    assertThat(response.status()).isEqualTo(412);
    assertThat(new String(response.body(), UTF_8))
        .isEqualTo(
            "{\"error\":\"say \\\"no\\\"\\n\",\"message\":\"say \\\"no\\\"\\n\",\"code\":9}");
    assertThat(new String(JsonBodies.streamError(Status.UNAVAILABLE), UTF_8))
        .isEqualTo(
            "{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"\","
                + "\"http_status\":\"Service Unavailable\"}}\n");
  }
}
