package io.ketch.cli;

import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.Member;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberListResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** member list. */
@Command(
    name = "member",
    description = "Membership related commands",
    subcommands = MemberCommands.ListMembers.class)
final class MemberCommands extends GroupCommand {
  static final List<String> HEADERS =
      List.of("ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner");

  static MemberListResponse list(Session session) {
    return session
        .timed(ClusterGrpc.newBlockingStub(session.channel()))
        .memberList(MemberListRequest.getDefaultInstance());
  }

  @Command(name = "list", description = "Lists all members in the cluster")
  static final class ListMembers implements Callable<Integer> {
    private final Session session;

    ListMembers(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      GlobalOptions.Format format = session.globals.format();
      MemberListResponse response = list(session);
      List<List<String>> rows = response.getMembersList().stream().map(ListMembers::row).toList();
      switch (format) {
        case json -> session.output().json(response);
        case table -> session.output().table(HEADERS, rows);
        case simple -> session.output().rows(rows);
      }
      return 0;
    }

    private static List<String> row(Member m) {
      return List.of(
          Output.memberId(m.getID()),
          m.getName().isEmpty() ? "unstarted" : "started",
          m.getName(),
          String.join(",", m.getPeerURLsList()),
          String.join(",", m.getClientURLsList()),
          String.valueOf(m.getIsLearner()));
    }
  }
}
