package io.ketch.api.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * python3-etcd3gw, a client written against etcd's JSON gateway, runs a script against the member.
 * Skipped where it is not installed, except in CI (CI=true), whose setup installs it.
 */
class Etcd3gwClientTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  private static final String SCRIPT =
      """
      import sys
      from etcd3gw.client import Etcd3Client
      # etcd3gw 2.0 defaults to /v3alpha/, which etcd 3.4 no longer serves
      c = Etcd3Client(host='127.0.0.1', port=int(sys.argv[1]), api_path='/v3/')
      assert c.put('py/a', 'one')
      assert c.get('py/a') == [b'one'], c.get('py/a')
      assert c.create('py/b', 'two') is True
      assert c.create('py/b', 'again') is False
      assert c.replace('py/b', 'two', 'three') is True
      assert sorted(v for v, _ in c.get_prefix('py/')) == [b'one', b'three']
      lease = c.lease(ttl=30)
      assert c.put('py/leased', 'x', lease=lease)
      assert 0 < lease.ttl() <= 30
      assert lease.keys() == [b'py/leased'], lease.keys()
      assert lease.refresh() == 30
      assert lease.revoke()
      assert c.get('py/leased') == []
      events, cancel = c.watch('py/w')
      c.put('py/w', 'seen')
      event = next(events)
      assert event['kv']['key'] == b'py/w' and event['kv']['value'] == b'seen', event
      cancel()
      assert c.status()['version']
      assert len(c.members()) == 1
      assert c.delete('py/a') and c.get('py/a') == []
      print('etcd3gw ok')
      """;

  @TempDir Path dir;

  @Test
  void etcd3gwPutsGetsLeasesAndWatches() throws Exception {
    boolean installed =
        Files.isExecutable(PYTHON)
            && new ProcessBuilder(PYTHON.toString(), "-c", "import etcd3gw")
                    .redirectErrorStream(true)
                    .start()
                    .waitFor()
                == 0;
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(installed, "python3-etcd3gw is not installed");
    }
    assertThat(installed).as("python3-etcd3gw is installed (CI installs it)").isTrue();

    try (GatewayMember member = new GatewayMember(dir.resolve("data"))) {
      Path script = Files.writeString(dir.resolve("client.py"), SCRIPT);
      Process python =
          new ProcessBuilder(PYTHON.toString(), script.toString(), String.valueOf(member.port()))
              .redirectErrorStream(true)
              .start();
      boolean finished = python.waitFor(60, TimeUnit.SECONDS);
      if (!finished) {
        python.destroyForcibly();
      }
      String output = new String(python.getInputStream().readAllBytes(), UTF_8);

      assertThat(finished).as(output).isTrue();
      assertThat(python.exitValue()).as(output).isZero();
      assertThat(output).contains("etcd3gw ok");
    }
  }
}
