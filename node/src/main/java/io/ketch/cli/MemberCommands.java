package io.ketch.cli;

import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.Member;
import io.ketch.pb.etcdserver.MemberAddRequest;
import io.ketch.pb.etcdserver.MemberAddResponse;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.pb.etcdserver.MemberRemoveRequest;
import io.ketch.pb.etcdserver.MemberRemoveResponse;
import io.ketch.pb.etcdserver.MemberUpdateRequest;
import io.ketch.pb.etcdserver.MemberUpdateResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** member add, remove, update, promote, list: etcdctl's commands and output. */
@Command(
    name = "member",
    description = "Membership related commands",
    subcommands = {
      MemberCommands.Add.class,
      MemberCommands.Remove.class,
      MemberCommands.Update.class,
      MemberCommands.Promote.class,
      MemberCommands.ListMembers.class
    })
final class MemberCommands extends GroupCommand {
  static final List<String> HEADERS =
      List.of("ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner");

  /** etcdctl 3.5 lists members linearizably (--consistency=l). */
  static MemberListResponse list(Session session) {
    return cluster(session)
        .memberList(MemberListRequest.newBuilder().setLinearizable(true).build());
  }

  static ClusterGrpc.ClusterBlockingStub cluster(Session session) {
    return session.timed(ClusterGrpc.newBlockingStub(session.channel()));
  }

  /** etcdctl takes member ids in hex. */
  static long memberId(String arg) {
    try {
      return Long.parseUnsignedLong(arg, 16);
    } catch (NumberFormatException e) {
      throw new CliException(
          CliException.BAD_ARGS, "bad member ID arg (" + e.getMessage() + "), expecting ID in Hex");
    }
  }

  static List<String> peerUrls(String urls) {
    if (urls == null || urls.isEmpty()) {
      throw new CliException(CliException.BAD_ARGS, "member peer urls not provided");
    }
    return List.of(urls.split(","));
  }

  @Command(name = "add", description = "Adds a member into the cluster")
  static final class Add implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "memberName")
    String name;

    @Option(names = "--peer-urls", description = "comma separated peer URLs for the new member.")
    String peerUrls;

    @Option(names = "--learner", description = "indicates if the new member is raft learner")
    boolean learner;

    Add(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      List<String> peers = peerUrls(peerUrls);
      MemberAddResponse added =
          cluster(session)
              .memberAdd(
                  MemberAddRequest.newBuilder()
                      .addAllPeerURLs(peers)
                      .setIsLearner(learner)
                      .build());
      if (session.globals.format() == GlobalOptions.Format.json) {
        session.output().json(added);
        return 0;
      }
      session.out.printf(
          "Member %16x added%sto cluster %16x%n",
          added.getMember().getID(),
          learner ? " as learner " : " ",
          added.getHeader().getClusterId());
      // What the new member's own flags must say, as etcdctl prints it.
      List<String> conf = new ArrayList<>();
      for (Member m : added.getMembersList()) {
        String n = m.getID() == added.getMember().getID() ? name : m.getName();
        m.getPeerURLsList().forEach(u -> conf.add(n + "=" + u));
      }
      session.out.println();
      session.out.printf("ETCD_NAME=\"%s\"%n", name);
      session.out.printf("ETCD_INITIAL_CLUSTER=\"%s\"%n", String.join(",", conf));
      session.out.printf("ETCD_INITIAL_ADVERTISE_PEER_URLS=\"%s\"%n", String.join(",", peers));
      session.out.println("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
      return 0;
    }
  }

  @Command(name = "remove", description = "Removes a member from the cluster")
  static final class Remove implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "memberID")
    String id;

    Remove(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      long member = memberId(id);
      MemberRemoveResponse r =
          cluster(session).memberRemove(MemberRemoveRequest.newBuilder().setID(member).build());
      return done(session, r, "Member %16x removed from cluster %16x%n", member, r.getHeader());
    }
  }

  @Command(name = "update", description = "Updates a member in the cluster")
  static final class Update implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "memberID")
    String id;

    @Option(
        names = "--peer-urls",
        description = "comma separated peer URLs for the updated member.")
    String peerUrls;

    Update(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      long member = memberId(id);
      MemberUpdateResponse r =
          cluster(session)
              .memberUpdate(
                  MemberUpdateRequest.newBuilder()
                      .setID(member)
                      .addAllPeerURLs(peerUrls(peerUrls))
                      .build());
      return done(session, r, "Member %16x updated in cluster %16x%n", member, r.getHeader());
    }
  }

  @Command(name = "promote", description = "Promotes a non-voting member in the cluster")
  static final class Promote implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "memberID")
    String id;

    Promote(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      long member = memberId(id);
      MemberPromoteResponse r =
          cluster(session).memberPromote(MemberPromoteRequest.newBuilder().setID(member).build());
      return done(session, r, "Member %16x promoted in cluster %16x%n", member, r.getHeader());
    }
  }

  private static int done(
      Session session, Object response, String simple, long member, ResponseHeader header) {
    if (session.globals.format() == GlobalOptions.Format.json) {
      session.output().json(response);
    } else {
      session.out.printf(simple, member, header.getClusterId());
    }
    return 0;
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
