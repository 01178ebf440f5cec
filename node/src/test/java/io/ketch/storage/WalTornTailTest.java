package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to the roll file, done byte by byte. A Chronicle document is a 4-byte little-endian header
 * (30 bits of length, a metadata bit, a not-complete bit) followed by the body, our {@link
 * WalDocument}; the queue file also holds Chronicle's own header and index documents, earlier in
 * the file. We locate each document's bytes through a tailer and check the header we find there.
 * The WAL holds one batch as documents of the format before batches (one record each), as a member
 * upgraded in place has it, then two batch documents of three entries and a HardState each.
 *
 * <p>Each damaged copy costs a few queue opens, so the cut sweep covers the last two documents
 * (both batches, and the cut right after the old-format ones) by default; {@code
 * -Dketch.wal.tornDocuments=N} sweeps the last N.
 */
class WalTornTailTest {

  @TempDir Path tmp;
  final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L);
  Path original;

  /** What each written document holds: Entries and HardStates, in the order written. */
  final List<List<Object>> written = new ArrayList<>();

  Path rollFile;
  List<long[]> spans;

  @BeforeEach
  void writeAWal() throws IOException {
    original = tmp.resolve("original/wal");
    List<WalRecord> oldFormat = new ArrayList<>();
    for (Object r : batch(0)) {
      written.add(List.of(r));
      oldFormat.add(
          r instanceof Entry e
              ? new WalRecord.EntryRecord(e)
              : new WalRecord.HardStateRecord((HardState) r));
    }
    WalFixtures.writeOldFormat(original, WalFixtures.testOptions(clock), 1, oldFormat);
    try (Wal wal = open(original)) {
      for (int batch = 1; batch < 3; batch++) {
        List<Object> records = batch(batch);
        List<Entry> entries = records.subList(0, 3).stream().map(Entry.class::cast).toList();
        wal.append(entries, (HardState) records.get(3));
        wal.sync();
        written.add(records);
      }
      rollFile = wal.rollFiles().get(0);
    }
    spans = documentSpans(original, rollFile);
    assertThat(spans).hasSize(written.size());
  }

  /** Three entries and a HardState. */
  private static List<Object> batch(long batch) {
    List<Object> records =
        new ArrayList<>(WalFixtures.entries(batch * 3 + 1, batch * 3 + 3, batch + 1));
    records.add(HardState.newBuilder().setTerm(batch + 1).setVote(1).setCommit(batch * 3).build());
    return records;
  }

  @Test
  void cuttingTheFileAtEveryByteOfTheLastDocumentsRecoversTheWrittenPrefix() throws IOException {
    byte[] content = Files.readAllBytes(rollFile);
    long from = spans.get(spans.size() - Integer.getInteger("ketch.wal.tornDocuments", 2))[0];
    long to = spans.get(spans.size() - 1)[1];
    for (long cut = from; cut <= to; cut++) {
      Path copy = copyWal("cut-" + cut, java.util.Arrays.copyOf(content, (int) cut));
      long end = cut;
      int whole = (int) spans.stream().filter(s -> s[1] <= end).count();
      long next;
      try (Wal wal = open(copy)) {
        assertThat(wal.recovery().validDocuments()).as("cut at %d", cut).isEqualTo(whole);
        next = assertState(wal, whole, "cut at " + cut) + 1;
        wal.append(WalFixtures.entries(next, next, 9), null);
        wal.sync();
      }
      try (Wal wal = open(copy)) {
        assertThat(wal.recovery().damage()).as("after appending past cut %d", cut).isNull();
        List<Entry> entries = WalFixtures.readBack(wal, wal.replay(0, 0));
        assertThat(entries).as("cut at %d", cut).isNotEmpty();
        assertThat(entries.get(entries.size() - 1)).isEqualTo(WalFixtures.entry(next, 9));
      }
      deleteRecursively(copy.getParent());
    }
  }

  @Test
  void aCorruptByteAnywhereInABatchDocumentStopsRecoveryThere() throws IOException {
    flipEveryByteOf(written.size() - 2); // the middle batch
  }

  @Test
  void aCorruptByteAnywhereInAnOldFormatDocumentStopsRecoveryThere() throws IOException {
    flipEveryByteOf(1); // entry 2, in the format before batches
  }

  private void flipEveryByteOf(int victim) throws IOException {
    long[] span = spans.get(victim);
    byte[] content = Files.readAllBytes(rollFile);
    Map<String, Integer> seen = new TreeMap<>();
    for (long offset = span[0]; offset < span[1]; offset++) {
      byte[] damaged = content.clone();
      damaged[(int) offset] ^= (byte) 0xFF;
      Path copy = copyWal("flip-" + offset, damaged);
      long next;
      try (Wal wal = open(copy)) {
        Wal.Recovery recovery = wal.recovery();
        assertThat(recovery.validDocuments()).as("byte %d flipped", offset).isEqualTo(victim);
        assertThat(recovery.damage()).as("byte %d flipped", offset).isNotNull();
        seen.merge(recovery.damage().replaceAll("[0-9a-f]{6,}|\\d+", "N"), 1, Integer::sum);
        next = assertState(wal, victim, "byte " + offset + " flipped") + 1;
        wal.append(WalFixtures.entries(next, next, 9), null);
        wal.sync();
      }
      try (Wal wal = open(copy)) {
        List<Entry> entries = WalFixtures.readBack(wal, wal.replay(0, 0));
        assertThat(entries.get(entries.size() - 1)).isEqualTo(WalFixtures.entry(next, 9));
      }
      deleteRecursively(copy.getParent());
    }
    System.out.println("corrupt-byte recoveries, by what stopped them: " + seen);
  }

  private Wal open(Path dir) throws IOException {
    return Wal.open(dir, WalFixtures.testOptions(clock), cause -> {});
  }

  /** Asserts the state the first {@code documents} written make; returns its last index. */
  private long assertState(Wal wal, int documents, String what) {
    Wal.Replayed replayed = wal.replay(0, 0);
    List<Entry> entries = new ArrayList<>();
    HardState hs = HardState.getDefaultInstance();
    for (Object r : written.subList(0, documents).stream().flatMap(List::stream).toList()) {
      if (r instanceof Entry e) {
        entries.add(e);
      } else {
        hs = (HardState) r;
      }
    }
    assertThat(WalFixtures.readBack(wal, replayed)).as(what).isEqualTo(entries);
    assertThat(replayed.hardState()).as(what).isEqualTo(hs);
    return entries.size();
  }

  /** Copies the original WAL directory with {@code rollFileContent} as its roll file. */
  private Path copyWal(String name, byte[] rollFileContent) throws IOException {
    Path copy = tmp.resolve(name).resolve("wal");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(original)) {
      for (Path file : files.toList()) {
        Path target = copy.resolve(file.getFileName());
        if (file.equals(rollFile)) {
          Files.write(target, rollFileContent);
        } else {
          Files.copy(file, target);
        }
      }
    }
    return copy;
  }

  /**
   * [start of Chronicle's header, end of body) of each data document in {@code file}, checked
   * against the header found at that offset.
   */
  private List<long[]> documentSpans(Path dir, Path file) throws IOException {
    List<long[]> result = new ArrayList<>();
    WalFixtures.forEachDocument(
        dir,
        WalFixtures.testOptions(clock),
        body -> result.add(new long[] {body.readPosition() - 4, body.readLimit()}));
    byte[] content = Files.readAllBytes(file);
    for (long[] span : result) {
      int header =
          ByteBuffer.wrap(content, (int) span[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      assertThat(header & 0x3FFF_FFFF).isEqualTo(span[1] - span[0] - 4);
      assertThat(header & 0xC000_0000).as("complete data, not metadata").isZero();
    }
    return result;
  }

  private static void deleteRecursively(Path path) throws IOException {
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
