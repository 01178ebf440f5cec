package io.ketch.e2e.harness;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the e2e tests run against. {@code -Dketch.e2e.targets=etcd,ketch} (the default) selects
 * both; name one to run the suite against it alone.
 */
public enum Target {
  /** Debian's etcd 3.4: the reference every test must pass against. */
  ETCD {
    @Override
    void requireTools() {
      Tools.ETCD.require();
    }

    @Override
    MemberProcess newMember() {
      return new EtcdProcess(MemberProcess.newDataDir("etcd"));
    }
  },
  /** Ketch's node, launched from this module's classpath. */
  KETCH {
    @Override
    MemberProcess newMember() {
      return new KetchProcess(MemberProcess.newDataDir("ketch"));
    }
  };

  static final String PROPERTY = "ketch.e2e.targets";

  /**
   * Skips (or in CI fails) the running test when the target's programs are missing. Called before
   * each test: a parameter resolver could not skip, JUnit would report its exception as an error.
   */
  void requireTools() {}

  /** A member on free loopback ports, not started: a one-member cluster unless configured. */
  abstract MemberProcess newMember();

  /** Starts a fresh one-member cluster on free loopback ports and waits until it serves. */
  public Member start() {
    MemberProcess member = newMember();
    member.start();
    return member;
  }

  /** Starts a fresh cluster of {@code size} members, see {@link Cluster#start}. */
  public Cluster startCluster(int size, String... flags) {
    return Cluster.start(this, size, List.of(flags));
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The targets named by {@value #PROPERTY}, in declaration order. */
  public static List<Target> selected() {
    List<String> names =
        Arrays.stream(System.getProperty(PROPERTY, "etcd,ketch").split(","))
            .map(s -> s.trim().toLowerCase(Locale.ROOT))
            .filter(s -> !s.isEmpty())
            .toList();
    for (String name : names) {
      if (Arrays.stream(values()).noneMatch(t -> t.label().equals(name))) {
        throw new IllegalArgumentException("unknown target '" + name + "' in -D" + PROPERTY);
      }
    }
    return Arrays.stream(values()).filter(t -> names.contains(t.label())).toList();
  }
}
