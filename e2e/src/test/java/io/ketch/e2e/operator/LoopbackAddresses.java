package io.ketch.e2e.operator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One loopback address per pod (127.B.C.D: B picked at random so parallel runs on one machine do
 * not meet, C the cluster, D the ordinal + 1), and the hosts file that resolves the pods' peer
 * names ({@code <pod>.<cluster>.<namespace>.svc}) to them, passed to every JVM with
 * -Djdk.net.hosts.file.
 */
final class LoopbackAddresses {
  static final int ORDINALS = 6;

  private final Map<String, String> ips = new LinkedHashMap<>();
  private final Path hostsFile;

  LoopbackAddresses(String namespace, List<String> clusters, Path dir) {
    int b = ThreadLocalRandom.current().nextInt(100, 250);
    List<String> lines = new ArrayList<>(List.of("127.0.0.1 localhost"));
    for (int c = 0; c < clusters.size(); c++) {
      String cluster = clusters.get(c);
      for (int i = 0; i < ORDINALS; i++) {
        String pod = cluster + "-" + i;
        String ip = "127." + b + "." + (c + 1) + "." + (i + 1);
        ips.put(pod, ip);
        lines.add(ip + " " + pod + "." + cluster + "." + namespace + ".svc");
      }
    }
    hostsFile = dir.resolve("hosts");
    try {
      Files.write(hostsFile, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String ip(String pod) {
    String ip = ips.get(pod);
    if (ip == null) {
      throw new IllegalArgumentException("no address for pod " + pod);
    }
    return ip;
  }

  Path hostsFile() {
    return hostsFile;
  }
}
