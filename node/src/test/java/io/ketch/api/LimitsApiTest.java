package io.ketch.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmType;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quota, the request size limits and hostile input: errors as etcd gives them, and no harm
 * done.
 */
class LimitsApiTest {
  @TempDir Path dir;

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  private static ByteSequence bytes(int size) {
    return ByteSequence.from(new byte[size]);
  }

  @Test
  void pastTheQuotaWritesAreRefusedUntilTheAlarmIsDisarmedWhileReadsAndDeletesGoOn()
      throws Exception {
    try (RunningMember member = new RunningMember(dir, "--quota-backend-bytes=200000");
        Client client = member.client()) {
      KV kv = client.getKVClient();
      int written = 0;
      Throwable refusal = null;
      while (refusal == null && written < 100) {
        try {
          kv.put(b("big" + written), bytes(20_000)).get();
          written++;
        } catch (ExecutionException e) {
          refusal = e.getCause();
        }
      }

      assertThat(refusal).hasMessageContaining("etcdserver: mvcc: database space exceeded");
      assertThat(client.getMaintenanceClient().listAlarms().get().getAlarms())
          .extracting(AlarmMember::getAlarmType)
          .containsExactly(AlarmType.NOSPACE);
      assertThat(kv.get(b("big0")).get().getCount()).isEqualTo(1);
      assertThat(kv.delete(b("big0")).get().getDeleted()).isEqualTo(1);
      assertThatThrownBy(() -> kv.put(b("small"), b("x")).get())
          .hasMessageContaining("database space exceeded");

      for (int i = 1; i < written; i++) {
        kv.delete(b("big" + i)).get();
      }
      long revision = kv.get(b("small")).get().getHeader().getRevision();
      kv.compact(revision).get();
      AlarmMember alarm = client.getMaintenanceClient().listAlarms().get().getAlarms().get(0);
      client.getMaintenanceClient().alarmDisarm(alarm).get();

      assertThat(kv.put(b("small"), b("x")).get().getHeader().getRevision())
          .isGreaterThan(revision);
    }
  }

  @Test
  void oversizedRequestsGetEtcdsErrorsAndHostileBytesDoNoHarm() throws Exception {
    try (RunningMember member = new RunningMember(dir);
        Client client = member.client()) {
      KV kv = client.getKVClient();

      // Between --max-request-bytes (1.5 MiB) and the gRPC limit (+512 KiB): etcd's
      // RequestTooLarge.
      assertThatThrownBy(() -> kv.put(b("k"), bytes(1_700_000)).get())
          .hasMessageContaining("etcdserver: request is too large");
      // Past the gRPC limit: refused by gRPC itself.
      assertThatThrownBy(() -> kv.put(b("k"), bytes(2_200_000)).get())
          .hasMessageContaining("RESOURCE_EXHAUSTED");

      Random random = new Random(7);
      for (int i = 0; i < 20; i++) {
        try (Socket socket = new Socket("127.0.0.1", member.port())) {
          byte[] junk = new byte[1 + random.nextInt(4096)];
          random.nextBytes(junk);
          OutputStream out = socket.getOutputStream();
          out.write(junk);
          out.flush();
        }
      }

      assertThat(kv.put(b("still"), b("fine")).get().getHeader().getRevision()).isEqualTo(2);
      assertThat(kv.get(b("still")).get().getKvs().get(0).getValue()).isEqualTo(b("fine"));
    }
  }
}
