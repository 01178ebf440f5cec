package io.ketch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.pb.etcdserver.StatusResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Go-compatible formatting pieces: JSON, byte sizes, durations, the snapshot trailer. */
class FormattingTest {

  @Test
  void goJsonEscapesAsEncodingJson() {
    assertThat(GoJson.write("a<b>&\"c\\\n\u0001\u2028é"))
        .isEqualTo("\"a\\u003cb\\u003e\\u0026\\\"c\\\\\\n\\u0001\\u2028é\"");
  }

  @Test
  void goJsonLeavesOutZeroFieldsAndPrintsUnsignedNumbers() {
    StatusResponse status =
        StatusResponse.newBuilder().setLeader(-1L).setVersion("3.5.0").addErrors("NOSPACE").build();

    assertThat(GoJson.write(status))
        .isEqualTo(
            "{\"version\":\"3.5.0\",\"leader\":18446744073709551615,\"errors\":[\"NOSPACE\"]}");
  }

  @Test
  void goJsonPrintsMapsWithEveryEntry() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("keys", null);
    m.put("Canceled", false);
    m.put("b", ByteString.copyFromUtf8("k1"));

    assertThat(GoJson.write(m)).isEqualTo("{\"keys\":null,\"Canceled\":false,\"b\":\"azE=\"}");
  }

  @Test
  void humanBytesMatchesGoHumanize() {
    assertThat(Output.humanBytes(5)).isEqualTo("5 B");
    assertThat(Output.humanBytes(20480)).isEqualTo("20 kB"); // 20.5 rounds half to even, as Go does
    assertThat(Output.humanBytes(1_500_000)).isEqualTo("1.5 MB");
    assertThat(Output.humanBytes(2_147_483_648L)).isEqualTo("2.1 GB");
  }

  @Test
  void goDurationsParseAndFormat() {
    assertThat(GoDuration.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> GoDuration.parse("5")).isInstanceOf(IllegalArgumentException.class);

    assertThat(GoDuration.format(Duration.ofNanos(151_181_061))).isEqualTo("151.181061ms");
    assertThat(GoDuration.format(Duration.ofNanos(5_322))).isEqualTo("5.322µs");
    assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
  }

  @Test
  void trailerMatchesWhateverTheChunking() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      byte[] payload = new byte[random.nextInt(300)];
      random.nextBytes(payload);
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(payload);
      byte[] stream = Arrays.copyOf(payload, payload.length + 32);
      System.arraycopy(sha, 0, stream, payload.length, 32);
      boolean corrupt = random.nextBoolean();
      if (corrupt) {
        stream[random.nextInt(stream.length)] ^= (byte) (1 + random.nextInt(255));
      }

      Sha256Trailer trailer = new Sha256Trailer();
      for (int off = 0; off < stream.length; ) {
        int n = Math.min(stream.length - off, random.nextInt(70));
        trailer.update(stream, off, n);
        off += n;
      }

      assertThat(trailer.matches()).as("round %d", round).isEqualTo(!corrupt);
    }
  }
}
