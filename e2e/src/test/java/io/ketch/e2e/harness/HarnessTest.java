package io.ketch.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

/** The harness itself: start, pause/resume, SIGKILL and restart on the same data dir. */
class HarnessTest {

  @EachTarget
  void memberServesPausesAndKeepsItsDataAcrossKill9(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    etcdctl.run("put", "harness", "v1").assertOk();
    assertThat(Files.isDirectory(member.dataDir())).isTrue();

    member.pause();
    Etcdctl.Result whilePaused = etcdctl.run("get", "harness", "--command-timeout=300ms");
    member.resume();
    assertThat(whilePaused.exit()).isNotZero();
    assertThat(etcdctl.run("get", "harness", "--print-value-only").assertOk().out())
        .isEqualTo("v1\n");

    long pid = member.pid();
    member.kill9();
    assertThat(member.isAlive()).isFalse();
    member.restart();
    assertThat(member.pid()).isNotEqualTo(pid);
    assertThat(etcdctl.run("get", "harness", "--print-value-only").assertOk().out())
        .isEqualTo("v1\n");
    assertThat(member.logTail(5)).isNotBlank();
  }
}
