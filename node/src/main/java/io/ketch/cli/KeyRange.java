package io.ketch.cli;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/** A key and range_end built from etcdctl's positional arguments and --prefix / --from-key. */
record KeyRange(ByteString key, ByteString rangeEnd) {
  private static final ByteString NUL = ByteString.copyFrom(new byte[] {0});

  static KeyRange of(String key, String rangeEnd, boolean prefix, boolean fromKey) {
    if (prefix && fromKey) {
      throw CliException.badArgs(
          "`--prefix` and `--from-key` cannot be set at the same time, choose one");
    }
    if (rangeEnd != null && (prefix || fromKey)) {
      throw CliException.badArgs(
          "too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
    }
    ByteString k = utf8(key);
    if (prefix) {
      // An empty prefix means every key: clientv3's WithPrefix turns it into ["\0", "\0").
      return k.isEmpty() ? new KeyRange(NUL, NUL) : new KeyRange(k, prefixEnd(k));
    }
    if (fromKey) {
      return new KeyRange(k.isEmpty() ? NUL : k, NUL);
    }
    return new KeyRange(k, rangeEnd == null ? ByteString.EMPTY : utf8(rangeEnd));
  }

  /** The smallest key above every key starting with prefix: the last byte below 0xff, plus one. */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    return NUL; // all 0xff: no upper bound
  }

  static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }
}
