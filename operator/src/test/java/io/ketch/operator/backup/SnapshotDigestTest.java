package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotDigestTest {
  static byte[] snapshot(int payloadSize, long seed) {
    byte[] payload = new byte[payloadSize];
    new Random(seed).nextBytes(payload);
    byte[] trailer = SnapshotDigest.sha256().digest(payload);
    byte[] file = new byte[payloadSize + trailer.length];
    System.arraycopy(payload, 0, file, 0, payloadSize);
    System.arraycopy(trailer, 0, file, payloadSize, trailer.length);
    return file;
  }

  private static SnapshotDigest feed(byte[] file, long seed) {
    SnapshotDigest digest = new SnapshotDigest();
    Random chunks = new Random(seed);
    for (int offset = 0; offset < file.length; ) {
      int n = Math.min(file.length - offset, 1 + chunks.nextInt(70));
      digest.update(file, offset, n);
      offset += n;
    }
    return digest;
  }

  @Test
  void aWholeStreamInAnyPiecesPassesAndHashesTheWholeFile() {
    for (int seed = 0; seed < 50; seed++) {
      byte[] file = snapshot(seed * 13, seed);
      SnapshotDigest digest = feed(file, seed);
      assertThat(digest.finish("m0"))
          .isEqualTo(HexFormat.of().formatHex(SnapshotDigest.sha256().digest(file)));
      assertThat(digest.size()).isEqualTo(file.length);
    }
  }

  @Test
  void anyFlippedByteFailsWithAClearMessage() {
    byte[] file = snapshot(300, 7);
    for (int i = 0; i < file.length; i += 17) {
      byte[] corrupt = file.clone();
      corrupt[i] ^= 0x40;
      SnapshotDigest digest = feed(corrupt, i);
      assertThatThrownBy(() -> digest.finish("http://m0:2379"))
          .isInstanceOf(CorruptSnapshotException.class)
          .hasMessage(
              "snapshot from http://m0:2379 is corrupt: its SHA-256 trailer does not match the 300"
                  + " bytes before it");
    }
  }

  @Test
  void aStreamShorterThanTheTrailerFails() {
    SnapshotDigest digest = new SnapshotDigest();
    digest.update(new byte[10], 0, 10);
    assertThatThrownBy(() -> digest.finish("m0"))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("too short for its SHA-256 trailer");
  }
}
