package io.ketch.e2e.harness;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** jetcd clients for a member, and the string conversions the tests use. */
public final class Jetcd {

  private Jetcd() {}

  /** A client of the member; close it. */
  public static Client client(Member member) {
    return Client.builder()
        .endpoints(member.clientUrl())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  public static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  public static String text(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
