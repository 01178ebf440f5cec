package io.ketch.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.storage.SnapshotData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The bytes of a member's state as Maintenance.Snapshot streams them and `snapshot restore` reads
 * them: a magic number, the length of the {@link StateSnapshot} that follows, the message, then
 * zeros up to a multiple of 512 bytes. The padding is there for etcd's tools: etcdctl recognises
 * the SHA-256 trailer of a snapshot by the payload's length being a whole number of 512-byte pages
 * (bbolt's), and refuses others.
 */
public final class SnapshotFormat {
  static final int MAGIC = 0x4b534e50; // "KSNP"
  static final int PAGE = 512;
  private static final int HEADER = Integer.BYTES + Long.BYTES;

  private SnapshotFormat() {}

  /** Frames a serialized {@link StateSnapshot}. */
  public static ByteString encode(SnapshotData state) {
    int length = state.size();
    int padded = (HEADER + length + PAGE - 1) / PAGE * PAGE;
    ByteString.Output out = ByteString.newOutput(padded);
    try {
      out.write(ByteBuffer.allocate(HEADER).putInt(MAGIC).putLong(length).array());
      state.writeTo(out);
      out.write(new byte[padded - HEADER - length]);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // into memory
    }
    return out.toByteString();
  }

  public static StateSnapshot decode(ByteString bytes) throws InvalidProtocolBufferException {
    ByteBuffer in = bytes.asReadOnlyByteBuffer();
    if (bytes.size() < HEADER || in.getInt() != MAGIC) {
      throw new InvalidProtocolBufferException("not a Ketch snapshot (bad magic number)");
    }
    long length = in.getLong();
    if (length < 0 || length > bytes.size() - HEADER) {
      throw new InvalidProtocolBufferException("truncated Ketch snapshot");
    }
    return StateSnapshot.parseFrom(bytes.substring(HEADER, HEADER + (int) length));
  }
}
