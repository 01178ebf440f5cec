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
    public Member start() {
      EtcdProcess member = new EtcdProcess(MemberProcess.newDataDir("etcd"));
      member.start();
      return member;
    }
  },
  /** Ketch's node, launched from this module's classpath. */
  KETCH {
    @Override
    public Member start() {
      KetchProcess member = new KetchProcess(MemberProcess.newDataDir("ketch"));
      member.start();
      return member;
    }
  };

  static final String PROPERTY = "ketch.e2e.targets";

  /**
   * Skips (or in CI fails) the running test when the target's programs are missing. Called before
   * each test: a parameter resolver could not skip, JUnit would report its exception as an error.
   */
  void requireTools() {}

  /** Starts a fresh one-member cluster on free loopback ports and waits until it serves. */
  public abstract Member start();

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
