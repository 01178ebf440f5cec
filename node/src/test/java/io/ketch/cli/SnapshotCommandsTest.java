package io.ketch.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.ketch.api.RunningMember;
import io.ketch.mvcc.KvStore;
import io.ketch.mvcc.TxnWrite;
import io.ketch.pb.etcdserver.SnapshotResponse;
import io.ketch.server.SnapshotFormat;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.storage.SnapshotData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * snapshot save (streaming, checksum, atomic file) and restore (trailer check, data-dir layout).
 */
class SnapshotCommandsTest {
  FakeEtcd etcd;
  @TempDir Path dir;

  @BeforeEach
  void start() throws IOException {
    etcd = new FakeEtcd();
  }

  @AfterEach
  void stop() {
    etcd.close();
  }

  record Result(int code, String out, String err) {}

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (Session session =
        new Session(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(),
            endpoints -> etcd.channel(),
            false)) {
      code = KetchCtl.run(args, session);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A payload followed by its SHA-256, as etcd frames a snapshot. */
  static byte[] framed(byte[] payload) throws Exception {
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(payload);
    byte[] all = Arrays.copyOf(payload, payload.length + sha.length);
    System.arraycopy(sha, 0, all, payload.length, sha.length);
    return all;
  }

  /** The stream cut into blobs of the given size, each with the bytes remaining after it. */
  static List<SnapshotResponse> blobs(byte[] stream, int size) {
    List<SnapshotResponse> responses = new ArrayList<>();
    for (int off = 0; off < stream.length; off += size) {
      int n = Math.min(size, stream.length - off);
      responses.add(
          SnapshotResponse.newBuilder()
              .setBlob(ByteString.copyFrom(stream, off, n))
              .setRemainingBytes(stream.length - off - n)
              .build());
    }
    return responses;
  }

  static byte[] payload(int size) {
    byte[] bytes = new byte[size];
    new Random(7).nextBytes(bytes);
    return bytes;
  }

  @Test
  void saveWritesTheStreamAndVerifiesItsTrailer() throws Exception {
    byte[] stream = framed(payload(100_000));
    etcd.snapshot = blobs(stream, 32 * 1024);
    Path file = dir.resolve("snap.db");

    Result r = run("snapshot", "save", file.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("Snapshot saved at " + file + "\n");
    assertThat(r.err()).isEmpty(); // not a terminal: no progress bar
    assertThat(Files.readAllBytes(file)).isEqualTo(stream);
    assertThat(dir.resolve("snap.db.part")).doesNotExist();
  }

  @Test
  void saveAcceptsTheTrailerSplitAcrossBlobs() throws Exception {
    byte[] stream = framed(payload(1000));
    etcd.snapshot = blobs(stream, 10); // the 32-byte trailer spans four blobs

    assertThat(run("snapshot", "save", dir.resolve("s").toString()).code()).isZero();
  }

  @Test
  void saveRefusesACorruptStreamAndLeavesNoFile() throws Exception {
    byte[] stream = framed(payload(50_000));
    stream[1234] ^= 1;
    etcd.snapshot = blobs(stream, 32 * 1024);
    Path file = dir.resolve("snap.db");

    Result r = run("snapshot", "save", file.toString());

    assertThat(r.code()).isEqualTo(CliException.INTERRUPTED);
    assertThat(r.err()).startsWith("Error: snapshot checksum mismatch");
    assertThat(r.out()).isEmpty();
    assertThat(file).doesNotExist();
    assertThat(dir.resolve("snap.db.part")).doesNotExist();
  }

  @Test
  void saveRefusesAStreamShorterThanATrailer() {
    etcd.snapshot = blobs(new byte[] {1, 2, 3}, 32);

    assertThat(run("snapshot", "save", dir.resolve("s").toString()).code())
        .isEqualTo(CliException.INTERRUPTED);
  }

  /** A member's snapshot as Maintenance.Snapshot streams it: one key, "restored" = "yes". */
  static byte[] memberSnapshot() throws Exception {
    KvStore store = new KvStore();
    try (TxnWrite txn = store.write()) {
      txn.put(ByteString.copyFromUtf8("restored"), ByteString.copyFromUtf8("yes"), 0);
      txn.end();
    }
    ByteString.Output mvcc = ByteString.newOutput();
    store.writeSnapshot(mvcc);
    StateSnapshot state =
        StateSnapshot.newBuilder()
            .setFormatVersion(1)
            .setAppliedIndex(42)
            .setAppliedTerm(3)
            .setMvcc(mvcc.toByteString())
            .build();
    return framed(SnapshotFormat.encode(SnapshotData.of(state.toByteString())).toByteArray());
  }

  @Test
  void restoreWritesADataDirThatAMemberOfANewClusterStartsFrom() throws Exception {
    Path snapshot = Files.write(dir.resolve("snap.db"), memberSnapshot());
    Path dataDir = dir.resolve("m1.etcd");

    Result r = run("snapshot", "restore", snapshot.toString(), "--data-dir", dataDir.toString());

    assertThat(r.code()).isZero();
    try (RunningMember member = new RunningMember(dataDir);
        Client client = member.client()) {
      var got = client.getKVClient().get(ByteSequence.from("restored", UTF_8)).get();
      assertThat(got.getKvs().get(0).getValue()).isEqualTo(ByteSequence.from("yes", UTF_8));
      assertThat(got.getHeader().getRevision()).isEqualTo(2);
    }
    // A second restore into the same directory is refused, as etcdctl does.
    Result again =
        run("snapshot", "restore", snapshot.toString(), "--data-dir", dataDir.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("exists");
  }

  @Test
  void restoreRefusesACorruptSnapshotUnlessTheHashCheckIsSkipped() throws Exception {
    byte[] stream = memberSnapshot();
    stream[stream.length - 1] ^= 1; // the trailer no longer matches; the payload is intact
    Path snapshot = Files.write(dir.resolve("snap.db"), stream);

    Result r =
        run("snapshot", "restore", snapshot.toString(), "--data-dir", dir.resolve("a").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("Error: snapshot file integrity check failed");
    assertThat(dir.resolve("a")).doesNotExist();

    Result skipped =
        run(
            "snapshot",
            "restore",
            snapshot.toString(),
            "--data-dir",
            dir.resolve("b").toString(),
            "--skip-hash-check");
    assertThat(skipped.code()).isZero();
    assertThat(dir.resolve("b/member/snap")).isDirectory();
  }
}
