package io.ketch.storage;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The application's state in a snapshot, written straight into the snapshot's file, so that a state
 * of hundreds of megabytes is never built as one array first.
 */
public interface SnapshotData {
  /** The exact number of bytes {@link #writeTo} writes. */
  int size();

  void writeTo(OutputStream out) throws IOException;

  /** Data already in memory (a snapshot received from the leader, tests). */
  static SnapshotData of(ByteString bytes) {
    return new SnapshotData() {
      @Override
      public int size() {
        return bytes.size();
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        bytes.newInput().transferTo(out); // ByteString.writeTo would copy all of it first
      }
    };
  }
}
