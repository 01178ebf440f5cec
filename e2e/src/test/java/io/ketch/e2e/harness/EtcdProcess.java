package io.ketch.e2e.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The reference: Debian's etcd 3.4 server binary. */
final class EtcdProcess extends MemberProcess {

  EtcdProcess(Path dataDir) {
    super("etcd", dataDir);
  }

  @Override
  List<String> program() {
    return List.of(Tools.ETCD.path().toString());
  }

  @Override
  Duration startTimeout() {
    return Duration.ofSeconds(30);
  }
}
