package io.ketch.cli;

import io.grpc.ManagedChannel;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.MoveLeaderRequest;
import io.ketch.pb.etcdserver.MoveLeaderResponse;
import io.ketch.pb.etcdserver.StatusRequest;
import io.ketch.pb.etcdserver.StatusResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** move-leader: finds the leader among --endpoints (by Status) and asks it to hand over. */
@Command(name = "move-leader", description = "Transfers leadership to another etcd cluster member.")
final class MoveLeaderCommand implements Callable<Integer> {
  private final Session session;

  @Parameters(index = "0", paramLabel = "transferee-member-id")
  String target;

  MoveLeaderCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    long to = MemberCommands.memberId(target);
    List<String> endpoints = session.globals.endpoints();
    for (String endpoint : endpoints) {
      ManagedChannel channel = session.connect(List.of(endpoint));
      var maintenance = session.timed(MaintenanceGrpc.newBlockingStub(channel));
      StatusResponse status = maintenance.status(StatusRequest.getDefaultInstance());
      if (status.getLeader() != status.getHeader().getMemberId()) {
        continue;
      }
      MoveLeaderResponse response =
          session
              .timed(MaintenanceGrpc.newBlockingStub(channel))
              .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(to).build());
      if (session.globals.format() == GlobalOptions.Format.json) {
        session.output().json(response);
      } else {
        session.out.printf(
            "Leadership transferred from %s to %s%n",
            Output.memberId(status.getLeader()), Output.memberId(to));
      }
      return 0;
    }
    throw new CliException(
        CliException.BAD_ARGS, "no leader endpoint given at " + goList(endpoints));
  }

  /** Go's %v of a string slice. */
  private static String goList(List<String> values) {
    return "[" + String.join(" ", values) + "]";
  }
}
