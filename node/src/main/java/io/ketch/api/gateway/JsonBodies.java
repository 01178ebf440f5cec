package io.ketch.api.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.ketch.api.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's gateway JSON (grpc-gateway's JSONPb marshaler with OrigName and without EmitDefaults):
 * proto field names, int64 as strings, bytes in base64, default values left out; unknown request
 * fields ignored.
 */
final class JsonBodies {
  private static final JsonFormat.Parser STRICT = JsonFormat.parser();
  private static final JsonFormat.Parser LENIENT = STRICT.ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private JsonBodies() {}

  /**
   * Every request in a body. grpc-gateway decodes a body as a sequence of JSON values (a streaming
   * call sends each), so {@code {"ID":1} {"ID":2}} is two requests; an empty body holds none.
   */
  static List<Message> parseAll(byte[] body, Message prototype)
      throws InvalidProtocolBufferException {
    List<Message> requests = new ArrayList<>();
    for (String value : topLevelValues(new String(body, UTF_8))) {
      requests.add(parse(value, prototype));
    }
    return requests;
  }

  /**
   * Unknown fields are skipped, but an unknown enum name is an error, as in Go: protobuf's lenient
   * parser would quietly turn {@code "sort_order":"NOPE"} into the default, so it only gets the
   * values the strict one turned down for an unknown field.
   */
  private static Message parse(String json, Message prototype)
      throws InvalidProtocolBufferException {
    Message.Builder builder = prototype.newBuilderForType();
    try {
      STRICT.merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("Cannot find field")) {
        throw e;
      }
      builder = prototype.newBuilderForType();
      LENIENT.merge(json, builder);
    }
    return builder.build();
  }

  /** The body's JSON values, split where each one closes; their insides are checked later. */
  static List<String> topLevelValues(String body) {
    List<String> values = new ArrayList<>();
    int depth = 0;
    int start = -1;
    boolean inString = false;
    boolean escaped = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (start < 0) {
        if (Character.isWhitespace(c)) {
          continue;
        }
        start = i;
      }
      boolean ends = false;
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
          ends = depth == 0;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        ends = depth <= 0;
      } else if (depth == 0 && Character.isWhitespace(c)) {
        values.add(body.substring(start, i));
        start = -1;
        continue;
      }
      if (ends) {
        values.add(body.substring(start, i + 1));
        start = -1;
        depth = 0;
      }
    }
    if (start >= 0) {
      values.add(body.substring(start)); // unterminated: the parser reports it
    }
    return values;
  }

  static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("etcd's messages hold no Any fields", e);
    }
  }

  /** One message of a streaming answer: {@code {"result":...}} and a newline. */
  static byte[] streamResult(Message message) {
    return ("{\"result\":" + print(message) + "}\n").getBytes(UTF_8);
  }

  /** A failed call, as grpc-gateway's default error handler writes it. */
  static HttpResponse error(Status status) {
    String message = quote(status.getDescription());
    return HttpResponse.json(
        HttpStatusForCode.of(status.getCode()).status(),
        "{\"error\":%s,\"message\":%s,\"code\":%d}"
            .formatted(message, message, status.getCode().value()));
  }

  /** A stream that fails after its first message: one last chunk holding the error. */
  static byte[] streamError(Status status) {
    HttpStatusForCode http = HttpStatusForCode.of(status.getCode());
    return "{\"error\":{\"grpc_code\":%d,\"http_code\":%d,\"message\":%s,\"http_status\":%s}}\n"
        .formatted(
            status.getCode().value(),
            http.status(),
            quote(status.getDescription()),
            quote(http.reason()))
        .getBytes(UTF_8);
  }

  /** A JSON string literal; null is the empty string, as Go's status message is. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : (text == null ? "" : text).toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u%04x".formatted((int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
