package io.ketch.e2e.etcdctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ketch.e2e.harness.Cluster;
import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Etcdctl;
import io.ketch.e2e.harness.Member;
import io.ketch.e2e.harness.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * etcdctl's cluster commands on a 3-member cluster of each selected target, differentially: member
 * list/add/promote/update/remove, endpoint status --cluster and move-leader must print the same
 * thing on etcd and on Ketch once ids, names, ports and counters are normalised.
 */
class EtcdctlClusterTest {

  private static final Pattern INITIAL_CLUSTER = Pattern.compile("ETCD_INITIAL_CLUSTER=\"(.*)\"");
  private static final Pattern HEX_ID = Pattern.compile("\\b[0-9a-f]{14,16}\\b");
  private static final Pattern NAME = Pattern.compile("\\b(etcd|ketch)-\\d+\\b");
  private static final Pattern PORT = Pattern.compile("127\\.0\\.0\\.1:\\d+");
  private static final Pattern SIZE = Pattern.compile("\\b\\d+(\\.\\d+)? ?[kMG]?B\\b");
  private static final Pattern VERSION = Pattern.compile("\\b3\\.\\d+\\.\\d+\\b");

  @Test
  void clusterCommandsPrintWhatEtcdPrints() {
    // With one target the transcript would be compared with itself.
    Assumptions.assumeTrue(
        Target.selected().size() > 1, "a differential test: select etcd and ketch both");
    Map<Target, List<String>> transcripts = new LinkedHashMap<>();
    for (Target target : Target.selected()) {
      try (Cluster cluster = target.startCluster(3)) {
        transcripts.put(target, transcript(cluster));
      }
    }
    List<String> reference = transcripts.values().iterator().next();
    transcripts.forEach(
        (target, lines) -> assertThat(lines).as(target.label()).isEqualTo(reference));
  }

  /**
   * Etcd's MemberList is sorted by member id (its RaftCluster.Members sorts MembersByID), and so is
   * etcdctl's member list and the ETCD_INITIAL_CLUSTER that member add prints.
   */
  @EachTarget
  void membersAreListedByIdAscending(Target target) {
    try (Cluster cluster = target.startCluster(3)) {
      List<Long> ids =
          new Etcdctl(cluster.member(0))
              .run("member", "list")
              .assertOk()
              .out()
              .lines()
              .map(l -> Long.parseUnsignedLong(l.split(",")[0], 16))
              .toList();
      assertThat(ids).hasSize(3).isSortedAccordingTo(Long::compareUnsigned);
    }
  }

  private static List<String> transcript(Cluster cluster) {
    List<String> out = new ArrayList<>();
    Member first = cluster.member(0);
    Etcdctl etcdctl = new Etcdctl(first);
    out.add(sorted(etcdctl.run("member", "list")));
    // etcd refuses membership changes until its members have been connected a few seconds
    Etcdctl.Result added =
        await("member add")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    etcdctl.run(
                        "member", "add", "extra", "--peer-urls=http://127.0.0.1:1", "--learner"),
                r -> !r.err().contains("unhealthy cluster"));
    out.add(normalise(added));
    String learner = find(HEX_ID, added.out());
    out.add(sorted(etcdctl.run("member", "list")));
    out.add(normalise(etcdctl.run("member", "promote", learner)));
    out.add(normalise(etcdctl.run("member", "update", learner, "--peer-urls=http://127.0.0.1:2")));
    out.add(normalise(etcdctl.run("member", "remove", learner)));
    out.add(sorted(etcdctl.run("member", "list")));
    out.add(normalise(etcdctl.run("member", "remove", "1234")));
    out.add(sorted(etcdctl.run("endpoint", "status", "--cluster")));

    Member leader = cluster.awaitLeader();
    Member follower = cluster.members().stream().filter(m -> m != leader).findFirst().get();
    String target = Long.toHexString(cluster.memberId(follower));
    out.add(normalise(new Etcdctl(cluster.members()).run("move-leader", target)));
    out.add(normalise(new Etcdctl(follower).run("move-leader", target)));
    return out;
  }

  private static String find(Pattern p, String text) {
    var m = p.matcher(text);
    if (!m.find()) {
      throw new AssertionError("no " + p + " in " + text);
    }
    return m.group();
  }

  /** Exit code, stdout and the last line of stderr (etcdctl's "Error: ..."), normalised. */
  private static String normalise(Etcdctl.Result r) {
    String[] err = r.err().strip().split("\n");
    return "exit " + r.exit() + "\n" + normalise(r.out()) + "\n" + normalise(err[err.length - 1]);
  }

  private static String sorted(Etcdctl.Result r) {
    return "exit "
        + r.exit()
        + "\n"
        + String.join("\n", normalise(r.out()).lines().sorted().toList());
  }

  private static String normalise(String text) {
    // etcdctl prints ids with %16x: an id under 2^60 gets a space of padding
    String t = HEX_ID.matcher(text).replaceAll("<id>").replaceAll(" +<id>", " <id>");
    t = NAME.matcher(t).replaceAll("<name>");
    t = PORT.matcher(t).replaceAll("<host:port>");
    t = SIZE.matcher(t).replaceAll("<size>");
    t = VERSION.matcher(t).replaceAll("<version>");
    // the entries of ETCD_INITIAL_CLUSTER follow the member list's order, which follows the ids
    Matcher initial = INITIAL_CLUSTER.matcher(t);
    if (initial.find()) {
      String entries =
          String.join(",", Arrays.stream(initial.group(1).split(",")).sorted().toList());
      t = t.substring(0, initial.start(1)) + entries + t.substring(initial.end(1));
    }
    // raft term, index and applied index in endpoint status
    return t.replaceAll(", \\d+, \\d+, \\d+, ", ", <term>, <index>, <applied>, ");
  }
}
