package io.ketch.launch;

import io.ketch.server.Versions;
import io.ketch.server.config.ConfigException;
import io.ketch.server.config.ServerConfigParser;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The member's entry point: etcd's flags in, a running member out (node/bin/ketch runs it). */
public final class KetchMain {
  /** The exit code of a command line that cannot be accepted, as Go's flag package uses. */
  static final int EXIT_USAGE = 2;

  private KetchMain() {}

  /** Either a configuration to run, or an exit code (after --help, --version or an error). */
  record Outcome(Optional<ServerConfigParser.Result> config, int exitCode) {
    static Outcome run(ServerConfigParser.Result result) {
      return new Outcome(Optional.of(result), 0);
    }

    static Outcome exit(int code) {
      return new Outcome(Optional.empty(), code);
    }
  }

  public static void main(String[] args) throws Exception {
    Outcome outcome = parse(Arrays.asList(args), System.getenv(), System.out, System.err);
    if (outcome.config().isEmpty()) {
      System.exit(outcome.exitCode());
      return;
    }
    ServerConfigParser.Result parsed = outcome.config().get();
    LoggingSetup.apply(parsed.config().logLevel(), parsed.config().logFormat());
    Logger log = LoggerFactory.getLogger(KetchMain.class);
    parsed.warnings().forEach(log::warn);
    log.info("starting Ketch (etcd {}) with {}", Versions.SERVER, parsed.config());
    KetchNode node;
    try {
      node = KetchNode.start(parsed.config());
    } catch (IOException e) {
      log.error("cannot start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  node.close();
                },
                "ketch-shutdown"));
    node.stopped()
        .thenAccept(
            stop -> {
              log.info("exiting with code {}: {}", stop.exitCode(), stop);
              // From a thread of its own: exiting runs the shutdown hook, which joins the
              // member's threads, one of which may be the one that completed this.
              new Thread(() -> System.exit(stop.exitCode()), "ketch-exit").start();
            });
    node.awaitClosed();
  }

  /** Parses the command line; prints the help, the version, or why the flags were refused. */
  static Outcome parse(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.stream().anyMatch(a -> List.of("-h", "--help", "-help").contains(a))) {
      out.print(ServerConfigParser.usage());
      return Outcome.exit(0);
    }
    if (args.stream().anyMatch(a -> List.of("--version", "-version").contains(a))) {
      out.println("etcd Version: " + Versions.SERVER);
      out.println("Ketch: an etcd-compatible store on the JVM");
      return Outcome.exit(0);
    }
    try {
      return Outcome.run(ServerConfigParser.parse(args, env));
    } catch (ConfigException e) {
      err.println("ketch: " + e.getMessage());
      err.println("Run 'ketch --help' for the flags.");
      return Outcome.exit(EXIT_USAGE);
    }
  }
}
