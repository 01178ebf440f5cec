package io.ketch.cli;

import com.google.protobuf.ByteString;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.mvcc.KeyValue;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** etcdctl's printing helpers shared by the commands. */
final class Output {
  private final PrintStream out;
  private final boolean hex;

  Output(PrintStream out, boolean hex) {
    this.out = out;
    this.hex = hex;
  }

  /** etcdctl's printKV: the key line (unless value-only), then the value line. */
  void kv(KeyValue kv, boolean valueOnly) {
    if (!valueOnly) {
      bytesLine(kv.getKey());
    }
    bytesLine(kv.getValue());
  }

  private void bytesLine(ByteString bytes) {
    if (hex) {
      StringBuilder s = new StringBuilder();
      for (byte b : bytes.toByteArray()) {
        s.append("\\x")
            .append(Character.forDigit((b >> 4) & 0xf, 16))
            .append(Character.forDigit(b & 0xf, 16));
      }
      out.println(s);
    } else {
      out.write(bytes.toByteArray(), 0, bytes.size());
      out.println();
    }
  }

  void json(Object value) {
    out.println(GoJson.write(value));
  }

  /**
   * The fields of a ResponseHeader as Go flattens an embedded *ResponseHeader (zero fields left
   * out).
   */
  static Map<String, Object> flatHeader(ResponseHeader header) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (header.getClusterId() != 0) {
      fields.put("cluster_id", new GoJson.Unsigned(header.getClusterId()));
    }
    if (header.getMemberId() != 0) {
      fields.put("member_id", new GoJson.Unsigned(header.getMemberId()));
    }
    if (header.getRevision() != 0) {
      fields.put("revision", header.getRevision());
    }
    if (header.getRaftTerm() != 0) {
      fields.put("raft_term", new GoJson.Unsigned(header.getRaftTerm()));
    }
    return fields;
  }

  /** A lease id as etcdctl prints it: 16 hex digits. */
  static String leaseId(long id) {
    return String.format("%016x", id);
  }

  /** Go's %x of a uint64 member id: no padding. */
  static String memberId(long id) {
    return Long.toHexString(id);
  }

  static String utf8(ByteString bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** go-humanize's Bytes (SI units), which etcdctl uses for DB SIZE: "20 kB", "1.5 MB". */
  static String humanBytes(long size) {
    if (size < 10) {
      return size + " B";
    }
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int exponent = (int) Math.floor(Math.log(size) / Math.log(1000));
    double value = Math.floor(size / Math.pow(1000, exponent) * 10 + 0.5) / 10;
    // Go formats the exact binary value, rounding half to even.
    int digits = value < 10 ? 1 : 0;
    return new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString()
        + " "
        + units[exponent];
  }

  /** A table in etcdctl's tablewriter layout: centred upper-case headers, right-aligned cells. */
  void table(List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder border = new StringBuilder("+");
    for (int w : widths) {
      border.append("-".repeat(w + 2)).append('+');
    }
    out.println(border);
    StringBuilder header = new StringBuilder("|");
    for (int i = 0; i < widths.length; i++) {
      String h = headers.get(i).toUpperCase();
      int gap = widths[i] - h.length();
      header
          .append(' ')
          .append(" ".repeat(gap / 2))
          .append(h)
          .append(" ".repeat(gap - gap / 2))
          .append(" |");
    }
    out.println(header);
    out.println(border);
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < widths.length; i++) {
        line.append(' ')
            .append(" ".repeat(widths[i] - row.get(i).length()))
            .append(row.get(i))
            .append(" |");
      }
      out.println(line);
    }
    out.println(border);
  }

  /** The simple format of a table: each row's cells joined by ", ". */
  void rows(List<List<String>> rows) {
    for (List<String> row : rows) {
      out.println(String.join(", ", row));
    }
  }
}
