package io.ketch.e2e.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Debian's etcdctl 3.4 (ETCDCTL_API=3) pointed at one member (or several). */
public final class Etcdctl {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String endpoints;

  public Etcdctl(Member member) {
    this(List.of(member));
  }

  /** Etcdctl with every member's endpoint, as move-leader needs. */
  public Etcdctl(List<? extends Member> members) {
    Tools.ETCDCTL.require();
    this.endpoints = String.join(",", members.stream().map(Member::endpoint).toList());
  }

  /** What one etcdctl run printed and its exit code. */
  public record Result(int exit, String out, String err) {
    public Result assertOk() {
      if (exit != 0) {
        throw new AssertionError(
            "etcdctl exited " + exit + "\nstdout: " + out + "\nstderr: " + err);
      }
      return this;
    }

    public List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n", -1));
    }
  }

  public Result run(String... args) {
    return run(null, List.of(args));
  }

  /** Runs etcdctl with {@code stdin} as its standard input (null: none). */
  public Result run(String stdin, List<String> args) {
    Process process = start(args, false);
    CompletableFuture<String> out = readAll(process, false);
    CompletableFuture<String> err = readAll(process, true);
    try (Writer in = process.outputWriter(StandardCharsets.UTF_8)) {
      if (stdin != null) {
        in.write(stdin);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("etcdctl " + args + " did not finish within " + TIMEOUT);
      }
      return new Result(
          process.exitValue(),
          out.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
          err.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("etcdctl " + args, e);
    }
  }

  /** Starts `etcdctl watch ARGS`; close the returned watch to end it. */
  public Watch watch(String... args) {
    List<String> command = new ArrayList<>(List.of("watch"));
    command.addAll(List.of(args));
    return new Watch(start(command, true));
  }

  /** A running `etcdctl watch`: its stdout lines as they come. */
  public static final class Watch implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private Watch(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // the process was destroyed
                }
              },
              "etcdctl-watch-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /** Waits until {@code count} lines in all have arrived and returns every line seen so far. */
    public List<String> awaitLines(int count, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (seen.size() < count) {
          String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (line == null) {
            throw new AssertionError(
                "etcdctl watch printed " + seen.size() + " of " + count + " lines: " + seen);
          }
          seen.add(line);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return List.copyOf(seen);
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private Process start(List<String> args, boolean discardStderr) {
    List<String> command = new ArrayList<>();
    command.add(Tools.ETCDCTL.path().toString());
    command.add("--endpoints=" + endpoints);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("ETCDCTL_API", "3");
    if (discardStderr) {
      builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    }
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CompletableFuture<String> readAll(Process process, boolean stderr) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            byte[] bytes =
                (stderr ? process.getErrorStream() : process.getInputStream()).readAllBytes();
            return new String(bytes, StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        // a thread each: the common pool may have one thread on two cores, and both pipes must
        // drain at once
        task -> new Thread(task, "etcdctl-" + (stderr ? "stderr" : "stdout")).start());
  }
}
