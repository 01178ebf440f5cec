package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ketch.raft.pb.HardState;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The document format's own checks, on documents whose CRC is right: what a flipped byte cannot
 * reach, since the CRC catches it first (WalTornTailTest covers those).
 */
class WalDocumentTest {

  static final HardState HS = HardState.newBuilder().setTerm(2).setVote(1).setCommit(3).build();

  @Test
  void aBatchDecodesToItsRecordsInOrder() {
    byte[] bytes = batchOfTwoEntriesAndAHardState();
    assertThat(WalDocument.decode(bytes))
        .isEqualTo(
            new WalDocument(
                7,
                List.of(
                    new WalRecord.EntryRecord(WalFixtures.entry(1, 2)),
                    new WalRecord.EntryRecord(WalFixtures.entry(2, 2)),
                    new WalRecord.HardStateRecord(HS))));
  }

  @Test
  void anOldFormatDocumentDecodesToItsOneRecord() {
    WalRecord reset = new WalRecord.LogResetRecord(20, 3);
    assertThat(WalDocument.decode(WalFixtures.oldFormatDocument(4, reset)))
        .isEqualTo(new WalDocument(4, List.of(reset)));
  }

  @Test
  void aCountThatDisagreesWithTheRecordsIsCorrupt() {
    byte[] bytes = batchOfTwoEntriesAndAHardState();
    assertCorrupt(withCount(bytes, 4), "records run past the end");
    assertCorrupt(withCount(bytes, 2), "bytes after the last record");
    assertCorrupt(withCount(bytes, 0), "a batch of 0 records");
  }

  @Test
  void bytesAfterAnOldFormatRecordAreCorrupt() {
    byte[] old = WalFixtures.oldFormatDocument(1, new WalRecord.HardStateRecord(HS));
    assertCorrupt(resealed(Arrays.copyOf(old, old.length + 1)), "1 bytes after the last record");
  }

  @Test
  void anUnknownRecordKindInsideABatchIsCorrupt() {
    byte[] bytes = batchOfTwoEntriesAndAHardState();
    bytes[13] = 0x12; // the first record's kind
    assertCorrupt(resealed(bytes), "unknown record kind/version 18");
  }

  @Test
  void anEntryLongerThanItsDocumentIsCorrupt() {
    byte[] bytes = batchOfTwoEntriesAndAHardState();
    ByteBuffer.wrap(bytes).putInt(13 + 1 + 8 + 8 + 1, 1_000); // the first entry's data length
    assertCorrupt(resealed(bytes), "entry says 1000 data bytes");
  }

  private static byte[] batchOfTwoEntriesAndAHardState() {
    WalDocument.Encoder encoder = new WalDocument.Encoder(1 << 20);
    encoder.addEntry(WalFixtures.entry(1, 2));
    encoder.addEntry(WalFixtures.entry(2, 2));
    encoder.addHardState(HS);
    return encoder.finish(7).toByteArray();
  }

  private static byte[] withCount(byte[] bytes, int count) {
    byte[] copy = bytes.clone();
    ByteBuffer.wrap(copy).putInt(9, count);
    return resealed(copy);
  }

  /** The same bytes with a CRC that matches them again. */
  private static byte[] resealed(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
    return bytes;
  }

  private static void assertCorrupt(byte[] bytes, String message) {
    assertThatThrownBy(() -> WalDocument.decode(bytes))
        .isInstanceOf(WalDocument.CorruptDocumentException.class)
        .hasMessageContaining(message);
  }
}
