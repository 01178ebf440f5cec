package io.ketch.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ketch.pb.etcdserver.AlarmMember;
import io.ketch.pb.etcdserver.AlarmRequest;
import io.ketch.pb.etcdserver.AlarmResponse;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.Member;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.StatusRequest;
import io.ketch.pb.etcdserver.StatusResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** endpoint status | health: each endpoint asked on its own. */
@Command(
    name = "endpoint",
    description = "Endpoint related commands",
    subcommands = {EndpointCommands.EndpointStatus.class, EndpointCommands.Health.class})
final class EndpointCommands extends GroupCommand {

  /** The endpoints to ask: --endpoints, or with --cluster every member's client URLs. */
  private static List<String> endpoints(Session session, boolean cluster) {
    if (!cluster) {
      return session.globals.endpoints();
    }
    List<String> urls = new ArrayList<>();
    for (Member m : MemberCommands.list(session).getMembersList()) {
      urls.addAll(m.getClientURLsList());
    }
    return urls;
  }

  @Command(
      name = "status",
      description = "Prints out the status of endpoints specified in `--endpoints` flag")
  static final class EndpointStatus implements Callable<Integer> {
    static final List<String> HEADERS =
        List.of(
            "endpoint",
            "ID",
            "version",
            "db size",
            "is leader",
            "is learner",
            "raft term",
            "raft index",
            "raft applied index",
            "errors");

    private final Session session;

    @Option(names = "--cluster", description = "use all endpoints from the cluster member list")
    boolean cluster;

    EndpointStatus(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      GlobalOptions.Format format = session.globals.format();
      boolean failed = false;
      List<Map<String, Object>> statuses = new ArrayList<>();
      List<List<String>> rows = new ArrayList<>();
      for (String endpoint : endpoints(session, cluster)) {
        try {
          ManagedChannel channel = session.connect(List.of(endpoint));
          StatusResponse s =
              session
                  .timed(MaintenanceGrpc.newBlockingStub(channel))
                  .status(StatusRequest.getDefaultInstance());
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("Endpoint", endpoint);
          json.put("Status", s);
          statuses.add(json);
          rows.add(row(endpoint, s));
        } catch (RuntimeException e) {
          failed = true;
          session.err.printf(
              "Failed to get the status of endpoint %s (%s)%n",
              endpoint, KetchCtl.failure(e).getMessage());
        }
      }
      switch (format) {
        case json -> session.output().json(statuses);
        case table -> session.output().table(HEADERS, rows);
        case simple -> session.output().rows(rows);
      }
      return failed ? CliException.ERROR : 0;
    }

    private static List<String> row(String endpoint, StatusResponse s) {
      return List.of(
          endpoint,
          Output.memberId(s.getHeader().getMemberId()),
          s.getVersion(),
          Output.humanBytes(s.getDbSize()),
          String.valueOf(s.getLeader() == s.getHeader().getMemberId()),
          String.valueOf(s.getIsLearner()),
          Long.toUnsignedString(s.getRaftTerm()),
          Long.toUnsignedString(s.getRaftIndex()),
          Long.toUnsignedString(s.getRaftAppliedIndex()),
          String.join(", ", s.getErrorsList()));
    }
  }

  @Command(
      name = "health",
      description = "Checks the healthiness of endpoints specified in `--endpoints` flag")
  static final class Health implements Callable<Integer> {
    static final List<String> HEADERS = List.of("endpoint", "health", "took", "error");

    private final Session session;

    @Option(names = "--cluster", description = "use all endpoints from the cluster member list")
    boolean cluster;

    Health(Session session) {
      this.session = session;
    }

    /** One endpoint's verdict, shaped as etcdctl's epHealth. */
    private record Verdict(String endpoint, boolean healthy, Duration took, String error) {}

    @Override
    public Integer call() {
      GlobalOptions.Format format = session.globals.format();
      List<Verdict> verdicts = endpoints(session, cluster).stream().map(this::check).toList();
      switch (format) {
        case json -> {
          List<Map<String, Object>> json = new ArrayList<>();
          for (Verdict v : verdicts) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("endpoint", v.endpoint());
            entry.put("health", v.healthy());
            entry.put("took", GoDuration.format(v.took()));
            if (!v.error().isEmpty()) {
              entry.put("error", v.error());
            }
            json.add(entry);
          }
          session.output().json(json);
        }
        case table ->
            session
                .output()
                .table(
                    HEADERS,
                    verdicts.stream()
                        .map(
                            v ->
                                List.of(
                                    v.endpoint(),
                                    String.valueOf(v.healthy()),
                                    GoDuration.format(v.took()),
                                    v.error()))
                        .toList());
        case simple -> {
          // etcdctl writes these lines to stderr.
          for (Verdict v : verdicts) {
            if (v.healthy()) {
              session.err.printf(
                  "%s is healthy: successfully committed proposal: took = %s%n",
                  v.endpoint(), GoDuration.format(v.took()));
            } else {
              session.err.printf(
                  "%s is unhealthy: failed to commit proposal: %s%n", v.endpoint(), v.error());
            }
          }
        }
      }
      if (verdicts.stream().anyMatch(v -> !v.healthy())) {
        throw new CliException(CliException.ERROR, "unhealthy cluster");
      }
      return 0;
    }

    /**
     * etcdctl's check: a linearizable read of "health" (permission denied counts as healthy), then
     * no alarms.
     */
    private Verdict check(String endpoint) {
      long start = System.nanoTime();
      try {
        ManagedChannel channel = session.connect(List.of(endpoint));
        start = System.nanoTime(); // as etcdctl: the time taken by the read, not the dial
        try {
          session
              .timed(KVGrpc.newBlockingStub(channel))
              .range(RangeRequest.newBuilder().setKey(KeyRange.utf8("health")).build());
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
            throw e;
          }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        AlarmResponse alarms;
        try {
          alarms =
              session
                  .timed(MaintenanceGrpc.newBlockingStub(channel))
                  .alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build());
        } catch (StatusRuntimeException e) {
          return new Verdict(endpoint, false, took, "Unable to fetch the alarm list");
        }
        if (alarms.getAlarmsCount() > 0) {
          List<String> names = new ArrayList<>();
          for (AlarmMember alarm : alarms.getAlarmsList()) {
            names.add(
                alarm.getAlarm() == io.ketch.pb.etcdserver.AlarmType.NONE
                    ? "UNKNOWN"
                    : alarm.getAlarm().name());
          }
          return new Verdict(endpoint, false, took, "Active Alarm(s): " + String.join(" ", names));
        }
        return new Verdict(endpoint, true, took, "");
      } catch (RuntimeException e) {
        return new Verdict(
            endpoint,
            false,
            Duration.ofNanos(System.nanoTime() - start),
            KetchCtl.failure(e).getMessage());
      }
    }
  }
}
