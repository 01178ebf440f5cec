package io.ketch.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --auto-compaction-mode periodic: history older than the retention window goes by itself. */
class AutoCompactionApiTest {

  @Test
  void periodicAutoCompactionDropsHistoryOlderThanTheWindow(@TempDir Path dir) throws Exception {
    try (RunningMember member =
            new RunningMember(
                dir, "--auto-compaction-mode=periodic", "--auto-compaction-retention=1s");
        Client client = member.client()) {
      ByteSequence key = ByteSequence.from("k", UTF_8);
      client.getKVClient().put(key, ByteSequence.from("1", UTF_8)).get();
      client.getKVClient().put(key, ByteSequence.from("2", UTF_8)).get();

      // Revision 3 is current; once a second has passed, the compactor compacts to it.
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> member.server().hashKv(0).getCompactRevision() >= 2);

      assertThatThrownBy(
              () ->
                  client.getKVClient().get(key, GetOption.builder().withRevision(1).build()).get())
          .hasMessageContaining("required revision has been compacted");
      assertThat(client.getKVClient().get(key).get().getKvs().get(0).getValue())
          .isEqualTo(ByteSequence.from("2", UTF_8));
    }
  }
}
