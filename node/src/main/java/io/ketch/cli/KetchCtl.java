package io.ketch.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.OptionSpec;

/**
 * ketchctl: etcdctl-style commands over etcd's v3 gRPC API. It knows nothing of the server, so it
 * works against Ketch and etcd alike.
 */
@Command(
    name = "ketchctl",
    mixinStandardHelpOptions = true,
    version = "ketchctl 0.1.0 (etcd v3 API)",
    description = "A command-line client for Ketch and etcd (etcdctl v3 compatible).",
    subcommands = {
      KvCommands.Put.class,
      KvCommands.Get.class,
      KvCommands.Del.class,
      KvCommands.Compaction.class,
      WatchCommand.class,
      LeaseCommands.class,
      MemberCommands.class,
      EndpointCommands.class,
      MoveLeaderCommand.class,
      SnapshotCommands.class,
      CommandLine.HelpCommand.class
    })
public final class KetchCtl extends GroupCommand {
  private static final Set<String> GLOBAL_FLAGS =
      Set.of("--endpoints", "--dial-timeout", "--command-timeout", "--write-out", "--hex");

  public static void main(String[] args) {
    // Keep library debug logging (Netty, gRPC) off the terminal unless the user configured logback.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "io/ketch/cli/ketchctl-logback.xml");
    }
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs one command line against real endpoints and returns the process exit code. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    try (Session session =
        new Session(in, out, err, System.getenv(), Endpoints::open, stderrIsTerminal())) {
      return run(args, session);
    }
  }

  static int run(String[] args, Session session) {
    CommandLine cli = new CommandLine(KetchCtl.class, new SessionFactory(session));
    cli.addMixin("globals", session.globals);
    cli.setOut(new java.io.PrintWriter(session.out, true));
    cli.setErr(new java.io.PrintWriter(session.err, true));
    cli.setUnmatchedOptionsArePositionalParams(true);
    cli.setDefaultValueProvider(fromEnvironment(session.env));
    cli.setParameterExceptionHandler(
        (ex, ignored) -> fail(session, CliException.BAD_ARGS, ex.getMessage()));
    cli.setExecutionExceptionHandler(
        (ex, ignored1, ignored2) -> {
          CliException failure = failure(ex);
          return fail(session, failure.exitCode, failure.getMessage());
        });
    return cli.execute(args);
  }

  /** etcdctl reads each global flag from ETCDCTL_&lt;FLAG&gt; when it is not given. */
  private static IDefaultValueProvider fromEnvironment(Map<String, String> env) {
    return arg -> {
      if (arg instanceof OptionSpec option && GLOBAL_FLAGS.contains(option.longestName())) {
        String name = option.longestName().substring(2).toUpperCase().replace('-', '_');
        return env.get("ETCDCTL_" + name);
      }
      return null;
    };
  }

  private static int fail(Session session, int exitCode, String message) {
    session.err.println("Error: " + message);
    return exitCode;
  }

  /** A command's exception as etcdctl reports it; gRPC errors show their status description. */
  static CliException failure(Throwable t) {
    if (t instanceof CliException cli) {
      return cli;
    }
    if (t instanceof StatusRuntimeException e) {
      return new CliException(CliException.ERROR, grpcMessage(e.getStatus()), e);
    }
    return new CliException(CliException.ERROR, String.valueOf(t.getMessage()), t);
  }

  static String grpcMessage(Status status) {
    return switch (status.getCode()) {
      case DEADLINE_EXCEEDED -> "context deadline exceeded";
      case CANCELLED -> "context canceled";
      default ->
          status.getDescription() != null
              ? status.getDescription()
              : status.getCode() + (status.getCause() != null ? ": " + status.getCause() : "");
    };
  }

  /** Whether fd 2 is a terminal (Linux); the progress bar is drawn only then. */
  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return false;
    }
  }

  /** Gives every command class that wants one the run's Session. */
  private record SessionFactory(Session session) implements IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        return type.getDeclaredConstructor(Session.class).newInstance(session);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }
}
