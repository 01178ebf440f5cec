package io.ketch.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * JSON as etcdctl prints it: Go's encoding/json over etcd's gogo-generated structs. That differs
 * from protobuf-java-util's JsonFormat (proto3 JSON), so it is written here: field names exactly as
 * declared in the .proto ("cluster_id", "dbSize", "ID"), zero values left out (omitempty), 64-bit
 * integers as JSON numbers (uint64 unsigned), enums as their numbers, bytes in standard base64, and
 * Go's escaping of &lt; &gt; &amp;. Maps and lists render etcdctl's hand-made shapes (lease and
 * watch output, endpoint lists) where Go prints every field, zero or not, and nil as null.
 */
final class GoJson {
  private GoJson() {}

  /** A uint64 held in a long, printed unsigned. */
  record Unsigned(long value) {}

  static String write(Object value) {
    StringBuilder json = new StringBuilder();
    value(json, value);
    return json.toString();
  }

  private static void value(StringBuilder json, Object value) {
    if (value == null) {
      json.append("null");
    } else if (value instanceof Message message) {
      message(json, message);
    } else if (value instanceof Map<?, ?> map) {
      json.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        first = comma(json, first);
        string(json, e.getKey().toString());
        json.append(':');
        value(json, e.getValue());
      }
      json.append('}');
    } else if (value instanceof List<?> list) {
      json.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          json.append(',');
        }
        value(json, list.get(i));
      }
      json.append(']');
    } else if (value instanceof String s) {
      string(json, s);
    } else if (value instanceof ByteString bytes) {
      string(json, Base64.getEncoder().encodeToString(bytes.toByteArray()));
    } else if (value instanceof Unsigned u) {
      json.append(Long.toUnsignedString(u.value()));
    } else if (value instanceof EnumValueDescriptor e) {
      json.append(e.getNumber());
    } else {
      json.append(value); // Boolean, Integer, Long
    }
  }

  private static void message(StringBuilder json, Message message) {
    json.append('{');
    boolean first = true;
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (isZero(message, field)) {
        continue;
      }
      first = comma(json, first);
      string(json, field.getName());
      json.append(':');
      Object v = message.getField(field);
      if (field.isRepeated()) {
        List<?> items = (List<?>) v;
        json.append('[');
        for (int i = 0; i < items.size(); i++) {
          if (i > 0) {
            json.append(',');
          }
          scalar(json, field, items.get(i));
        }
        json.append(']');
      } else {
        scalar(json, field, v);
      }
    }
    json.append('}');
  }

  private static boolean isZero(Message message, FieldDescriptor field) {
    if (field.isRepeated()) {
      return message.getRepeatedFieldCount(field) == 0;
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      return !message.hasField(field);
    }
    return message.getField(field).equals(field.getDefaultValue());
  }

  private static void scalar(StringBuilder json, FieldDescriptor field, Object v) {
    switch (field.getType()) {
      case UINT64, FIXED64 -> json.append(Long.toUnsignedString((Long) v));
      case UINT32, FIXED32 -> json.append(Integer.toUnsignedString((Integer) v));
      default -> value(json, v);
    }
  }

  private static boolean comma(StringBuilder json, boolean first) {
    if (!first) {
      json.append(',');
    }
    return false;
  }

  /** A JSON string with Go's encoding/json escaping. */
  private static void string(StringBuilder json, String s) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
