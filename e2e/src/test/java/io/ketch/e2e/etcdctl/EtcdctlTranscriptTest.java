package io.ketch.e2e.etcdctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Member;
import io.ketch.e2e.harness.Target;

/**
 * etcdctl sessions recorded against etcd 3.4 (src/test/resources/etcdctl/*.txt), replayed against
 * each target on a fresh member: the normalised output must be identical, error texts included.
 */
class EtcdctlTranscriptTest {

  @EachTarget
  void kv(Target target, Member member) {
    check("kv.txt", target, member);
  }

  @EachTarget
  void txn(Target target, Member member) {
    check("txn.txt", target, member);
  }

  @EachTarget
  void compaction(Target target, Member member) {
    check("compaction.txt", target, member);
  }

  @EachTarget
  void errors(Target target, Member member) {
    check("errors.txt", target, member);
  }

  private static void check(String name, Target target, Member member) {
    Transcript transcript = Transcript.load(name);
    String actual = transcript.replay(member);
    if (Boolean.getBoolean("ketch.e2e.record") && target == Target.ETCD) {
      transcript.record(actual);
      return;
    }
    assertThat(actual)
        .as("etcdctl transcript %s against %s", name, target)
        .isEqualTo(transcript.expected());
  }
}
