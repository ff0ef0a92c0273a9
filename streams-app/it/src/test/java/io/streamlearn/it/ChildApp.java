package io.streamlearn.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A streamlearn command ({@code train}, {@code serve}) in a child JVM on the test's class path,
 * so a test can kill it for real ({@link #kill()} sends SIGKILL, like {@code kill -9}). Its output
 * goes to a log file under {@code target/}.
 */
final class ChildApp implements AutoCloseable {
  private final List<String> command;
  private final Path log;
  private Process process;
  private int starts;

  ChildApp(String name, List<String> args) throws IOException {
    this.command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.streamlearn.cli.Main");
    command.addAll(args);
    Path dir = Files.createDirectories(Path.of("target", "child-logs"));
    this.log = dir.resolve(name + "-" + System.nanoTime() + ".log");
  }

  /**
   * The command line of {@code command} with {@code settings} as options: {@code --key-with-dashes
   * value}, and {@code kafka.}-prefixed keys as {@code --kafka-property key=value}.
   */
  static List<String> commandLine(String command, Map<String, String> settings) {
    List<String> args = new ArrayList<>(List.of(command));
    settings.forEach((k, v) -> {
      if (k.startsWith("kafka.")) {
        args.add("--kafka-property");
        args.add(k.substring("kafka.".length()) + "=" + v);
      } else {
        args.add("--" + k.replace('.', '-'));
        args.add(v);
      }
    });
    return args;
  }

  /** Starts (or restarts) the child. */
  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running: " + command);
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(Map.of("OMP_NUM_THREADS", "1"));
    process = pb.start();
    starts++;
  }

  /**
   * Appends the child's thread stacks to its log (`jcmd <pid> Thread.print`): what a test that
   * waited for the child in vain leaves behind.
   */
  synchronized void dumpThreads() {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      jcmd.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      // a diagnosis only: the test reports its own failure either way
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  synchronized void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: shutdown hooks run (a graceful stop). */
  synchronized boolean stopGracefully() throws InterruptedException {
    process.destroy();
    return process.waitFor(60, TimeUnit.SECONDS);
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  int starts() {
    return starts;
  }

  Path log() {
    return log;
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
