package io.ketch.e2e.etcdctl;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.ketch.e2e.harness.Etcdctl;
import io.ketch.e2e.harness.Member;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An etcdctl session recorded against etcd: commands ("$ args"), their standard input ("< line"),
 * comments ("#") and, after each command, its normalised output. Replaying it against a target
 * yields the same text when the target answers as etcd did; -Dketch.e2e.record=true (against etcd)
 * rewrites the file from what etcd answers.
 *
 * <p>Normalised output: stdout as printed, with JSON documents re-serialised without the fields
 * that differ between members (cluster_id, member_id, raft_term); then "! exit N" for a non-zero
 * exit; then each stderr line prefixed with "! " (the client's JSON log lines reduced to their gRPC
 * error: status code and message). The member's address becomes &lt;endpoint&gt;.
 */
final class Transcript {

  private static final Set<String> MEMBER_SPECIFIC = Set.of("cluster_id", "member_id", "raft_term");
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final Path file;
  private final List<Entry> entries;

  private sealed interface Entry {}

  private record Comment(String line) implements Entry {}

  private record Command(List<String> args, String line, List<String> stdin, List<String> expected)
      implements Entry {}

  private Transcript(Path file, List<Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  static Transcript load(String name) {
    Path file =
        Path.of(System.getProperty("ketch.e2e.transcripts", "src/test/resources/etcdctl"), name);
    try {
      return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The transcript as recorded. */
  String expected() {
    return render(null, null);
  }

  /** Runs every command against the member and renders the transcript with what it answered. */
  String replay(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    return render(etcdctl, member);
  }

  void record(String actual) {
    try {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String render(Etcdctl etcdctl, Member member) {
    StringBuilder text = new StringBuilder();
    for (Entry entry : entries) {
      if (entry instanceof Comment comment) {
        text.append(comment.line()).append('\n');
      } else if (entry instanceof Command command) {
        text.append("$ ").append(command.line()).append('\n');
        command
            .stdin()
            .forEach(line -> text.append(line.isEmpty() ? "<" : "< " + line).append('\n'));
        List<String> output = etcdctl == null ? command.expected() : run(etcdctl, member, command);
        output.forEach(line -> text.append(line).append('\n'));
      }
    }
    return text.toString();
  }

  private static List<String> run(Etcdctl etcdctl, Member member, Command command) {
    String stdin = command.stdin().isEmpty() ? null : String.join("\n", command.stdin()) + "\n";
    Etcdctl.Result result = etcdctl.run(stdin, command.args());
    List<String> output = new ArrayList<>();
    for (String line : result.out().split("\n", -1)) {
      output.add(normaliseStdout(line, member));
    }
    if (result.exit() != 0) {
      output.add("! exit " + result.exit());
    }
    for (String line : result.err().split("\n")) {
      String normalised = normaliseStderr(line, member);
      if (normalised != null) {
        output.add("! " + normalised);
      }
    }
    return trimTrailingBlank(output);
  }

  private static String normaliseStdout(String line, Member member) {
    String trimmed = line.strip();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        return GSON.toJson(withoutMemberSpecific(JsonParser.parseString(trimmed)))
            .replace(member.endpoint(), "<endpoint>");
      } catch (JsonParseException notJson) {
        // fall through: printed as text
      }
    }
    return line.replace(member.endpoint(), "<endpoint>");
  }

  /**
   * Stderr lines: the Go client's JSON log lines reduce to their error, if any; other lines stay.
   */
  private static String normaliseStderr(String line, Member member) {
    if (line.isBlank()) {
      return null;
    }
    if (line.startsWith("{")) {
      try {
        JsonObject log = JsonParser.parseString(line).getAsJsonObject();
        return log.has("error") ? "grpc " + log.get("error").getAsString() : null;
      } catch (JsonParseException | IllegalStateException notJson) {
        // fall through: printed as text
      }
    }
    return line.replace(member.endpoint(), "<endpoint>");
  }

  private static JsonElement withoutMemberSpecific(JsonElement element) {
    if (element.isJsonObject()) {
      JsonObject copy = new JsonObject();
      element.getAsJsonObject().entrySet().stream()
          .filter(e -> !MEMBER_SPECIFIC.contains(e.getKey()))
          .forEach(e -> copy.add(e.getKey(), withoutMemberSpecific(e.getValue())));
      return copy;
    }
    if (element.isJsonArray()) {
      com.google.gson.JsonArray copy = new com.google.gson.JsonArray();
      element.getAsJsonArray().forEach(e -> copy.add(withoutMemberSpecific(e)));
      return copy;
    }
    return element;
  }

  private static Transcript parse(Path file, List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    Command current = null;
    for (String line : lines) {
      if (line.startsWith("#")) {
        entries.add(new Comment(line));
        current = null;
      } else if (line.startsWith("$ ")) {
        String commandLine = line.substring(2);
        current =
            new Command(tokenize(commandLine), commandLine, new ArrayList<>(), new ArrayList<>());
        entries.add(current);
      } else if (current != null
          && (line.equals("<") || line.startsWith("< "))
          && current.expected().isEmpty()) {
        current.stdin().add(line.length() > 2 ? line.substring(2) : "");
      } else if (current != null) {
        current.expected().add(line);
      } else if (!line.isBlank()) {
        throw new IllegalArgumentException(file + ": output before any command: " + line);
      }
    }
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) instanceof Command c) {
        entries.set(i, new Command(c.args(), c.line(), c.stdin(), trimTrailingBlank(c.expected())));
      }
    }
    return new Transcript(file, entries);
  }

  /** Splits on blanks; double quotes group words and may be empty (""). */
  private static List<String> tokenize(String line) {
    List<String> tokens = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    boolean quoted = false;
    boolean inToken = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        inToken = true;
      } else if (Character.isWhitespace(c) && !quoted) {
        if (inToken) {
          tokens.add(token.toString());
          token.setLength(0);
          inToken = false;
        }
      } else {
        token.append(c);
        inToken = true;
      }
    }
    if (inToken) {
      tokens.add(token.toString());
    }
    return tokens;
  }

  private static List<String> trimTrailingBlank(List<String> lines) {
    int end = lines.size();
    while (end > 0 && lines.get(end - 1).isBlank()) {
      end--;
    }
    return new ArrayList<>(lines.subList(0, end));
  }
}
