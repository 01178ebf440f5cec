package io.ketch.cli;

import io.grpc.StatusRuntimeException;
import io.ketch.pb.etcdserver.LeaseGrantRequest;
import io.ketch.pb.etcdserver.LeaseGrantResponse;
import io.ketch.pb.etcdserver.LeaseGrpc;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesRequest;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseRevokeRequest;
import io.ketch.pb.etcdserver.LeaseRevokeResponse;
import io.ketch.pb.etcdserver.LeaseStatus;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** lease grant | revoke | timetolive | list | keep-alive. Lease ids are printed and read in hex. */
@Command(
    name = "lease",
    description = "Lease related commands",
    subcommands = {
      LeaseCommands.Grant.class,
      LeaseCommands.Revoke.class,
      LeaseCommands.TimeToLive.class,
      LeaseCommands.ListLeases.class,
      LeaseCommands.KeepAlive.class
    })
final class LeaseCommands extends GroupCommand {

  /** A lease id as etcdctl reads it: a signed 64-bit number in hex. */
  static long parseId(String hex, String errorFormat) {
    try {
      return Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw CliException.badArgs(String.format(errorFormat, "invalid syntax: " + hex));
    }
  }

  static long idArgument(String hex) {
    return parseId(hex, "bad lease ID arg (%s), expecting ID in Hex");
  }

  private static LeaseGrpc.LeaseBlockingStub lease(Session session) {
    return session.timed(LeaseGrpc.newBlockingStub(session.channel()));
  }

  /** Go's json of clientv3's lease responses: the embedded header flattened into the object. */
  private static Map<String, Object> flat(io.ketch.pb.etcdserver.ResponseHeader header) {
    return new LinkedHashMap<>(Output.flatHeader(header));
  }

  @Command(name = "grant", description = "Creates leases")
  static final class Grant implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "ttl")
    long ttl;

    Grant(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      LeaseGrantResponse response;
      try {
        response = lease(session).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl).build());
      } catch (StatusRuntimeException e) {
        throw new CliException(
            CliException.ERROR,
            "failed to grant lease (" + KetchCtl.grpcMessage(e.getStatus()) + ")",
            e);
      }
      if (format == GlobalOptions.Format.json) {
        Map<String, Object> json = flat(response.getHeader());
        json.put("ID", response.getID());
        json.put("TTL", response.getTTL());
        json.put("Error", response.getError());
        session.output().json(json);
      } else {
        session.out.printf(
            "lease %s granted with TTL(%ds)%n",
            Output.leaseId(response.getID()), response.getTTL());
      }
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revokes leases")
  static final class Revoke implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "leaseID")
    String id;

    Revoke(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      long leaseId = idArgument(id);
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      LeaseRevokeResponse response;
      try {
        response =
            lease(session).leaseRevoke(LeaseRevokeRequest.newBuilder().setID(leaseId).build());
      } catch (StatusRuntimeException e) {
        throw new CliException(
            CliException.ERROR,
            "failed to revoke lease (" + KetchCtl.grpcMessage(e.getStatus()) + ")",
            e);
      }
      if (format == GlobalOptions.Format.json) {
        session.output().json(response);
      } else {
        session.out.printf("lease %s revoked%n", Output.leaseId(leaseId));
      }
      return 0;
    }
  }

  @Command(name = "timetolive", description = "Get lease information")
  static final class TimeToLive implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "leaseID")
    String id;

    @Option(names = "--keys", description = "get keys attached to this lease")
    boolean keys;

    TimeToLive(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      long leaseId = idArgument(id);
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      LeaseTimeToLiveResponse r;
      try {
        r =
            lease(session)
                .leaseTimeToLive(
                    LeaseTimeToLiveRequest.newBuilder().setID(leaseId).setKeys(keys).build());
      } catch (StatusRuntimeException e) {
        throw new CliException(CliException.BAD_CONNECTION, KetchCtl.grpcMessage(e.getStatus()), e);
      }
      if (format == GlobalOptions.Format.json) {
        Map<String, Object> json = flat(r.getHeader());
        json.put("id", r.getID());
        json.put("ttl", r.getTTL());
        json.put("granted-ttl", r.getGrantedTTL());
        json.put("keys", r.getKeysCount() == 0 ? null : r.getKeysList());
        session.output().json(json);
      } else if (r.getGrantedTTL() == 0 && r.getTTL() == -1) {
        session.out.printf("lease %s already expired%n", Output.leaseId(r.getID()));
      } else {
        String text =
            String.format(
                "lease %s granted with TTL(%ds), remaining(%ds)",
                Output.leaseId(r.getID()), r.getGrantedTTL(), r.getTTL());
        if (keys) {
          // Go's %v of a []string: "[k1 k2]".
          text +=
              ", attached keys(["
                  + String.join(" ", r.getKeysList().stream().map(Output::utf8).toList())
                  + "])";
        }
        session.out.println(text);
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List all active leases")
  static final class ListLeases implements Callable<Integer> {
    private final Session session;

    ListLeases(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      LeaseLeasesResponse response =
          lease(session).leaseLeases(LeaseLeasesRequest.getDefaultInstance());
      if (format == GlobalOptions.Format.json) {
        Map<String, Object> json = flat(response.getHeader());
        List<Object> leases = new ArrayList<>();
        for (LeaseStatus status : response.getLeasesList()) {
          leases.add(Map.of("id", status.getID()));
        }
        json.put("leases", leases.isEmpty() ? null : leases);
        session.output().json(json);
      } else {
        session.out.printf("found %d leases%n", response.getLeasesCount());
        for (LeaseStatus status : response.getLeasesList()) {
          session.out.println(Output.leaseId(status.getID()));
        }
      }
      return 0;
    }
  }

  @Command(name = "keep-alive", description = "Keeps leases alive (renew)")
  static final class KeepAlive implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "leaseID")
    String id;

    @Option(names = "--once", description = "keep the lease alive once, then exit")
    boolean once;

    KeepAlive(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() throws InterruptedException {
      long leaseId = idArgument(id);
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      try (Streams.Bidi<LeaseKeepAliveRequest, LeaseKeepAliveResponse> stream =
          Streams.open(LeaseGrpc.newStub(session.channel())::leaseKeepAlive)) {
        LeaseKeepAliveRequest ping = LeaseKeepAliveRequest.newBuilder().setID(leaseId).build();
        while (true) {
          stream.send(ping);
          LeaseKeepAliveResponse response = stream.next(session.globals.commandTimeout());
          if (response == null) {
            throw new CliException(CliException.BAD_CONNECTION, "lease keepalive stream closed");
          }
          if (response.getTTL() <= 0) {
            if (once) {
              throw new CliException(
                  CliException.BAD_CONNECTION, "etcdserver: requested lease not found");
            }
            session.out.printf("lease %s expired or revoked.%n", Output.leaseId(leaseId));
            return 0;
          }
          if (format == GlobalOptions.Format.json) {
            Map<String, Object> json = flat(response.getHeader());
            json.put("ID", response.getID());
            json.put("TTL", response.getTTL());
            session.output().json(json);
          } else {
            session.out.printf(
                "lease %s keepalived with TTL(%d)%n",
                Output.leaseId(response.getID()), response.getTTL());
          }
          if (once) {
            return 0;
          }
          // clientv3 renews a third of the way into the TTL.
          TimeUnit.MILLISECONDS.sleep(Math.max(500, response.getTTL() * 1000 / 3));
        }
      }
    }
  }
}
