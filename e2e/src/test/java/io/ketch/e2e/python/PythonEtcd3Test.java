package io.ketch.e2e.python;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Member;
import io.ketch.e2e.harness.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs src/test/python/etcd3_checks.py (python-etcd3, Debian's python3-etcd3) against each target.
 */
class PythonEtcd3Test {

  private static final List<String> CHECKS =
      List.of(
          "put_get",
          "get_prefix",
          "delete",
          "delete_prefix",
          "transaction",
          "lease",
          "watch_iterator",
          "watch_callback",
          "status");

  @EachTarget
  void everyCheckPasses(Member member) throws IOException, InterruptedException {
    Tools.PYTHON_ETCD3.require();
    Path script =
        Path.of(System.getProperty("ketch.e2e.python", "src/test/python"), "etcd3_checks.py");
    Path stderr = Files.createTempFile("etcd3-checks", ".err");
    Process process =
        new ProcessBuilder(Tools.PYTHON3.toString(), script.toString(), member.endpoint())
            .redirectError(stderr.toFile())
            .start();
    List<String> lines = new ArrayList<>();
    try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
      reader.lines().forEach(lines::add);
    }
    boolean exited = process.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    String err = Files.readString(stderr);
    Files.delete(stderr);

    Map<String, JsonObject> results = new LinkedHashMap<>();
    for (String line : lines) {
      JsonObject result = JsonParser.parseString(line).getAsJsonObject();
      results.put(result.get("check").getAsString(), result);
    }
    assertThat(results.keySet())
        .as("checks reported; stderr:\n%s", err)
        .containsExactlyElementsOf(CHECKS);
    List<String> failures =
        results.values().stream()
            .filter(r -> !r.get("ok").getAsBoolean())
            .map(r -> r.get("check").getAsString() + ":\n" + r.get("detail").getAsString())
            .toList();
    assertThat(failures).as("failed python-etcd3 checks").isEmpty();
    assertThat(exited && process.exitValue() == 0).as("script exit; stderr:\n%s", err).isTrue();
  }
}
