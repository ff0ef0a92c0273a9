package io.streamlearn.bench;

import io.micrometer.core.instrument.Timer;
import io.streamlearn.app.OpsServer;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.serve.InferenceSettings;
import io.streamlearn.serve.InferenceService;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The predict API's rows of {@code bench inference}: one inference instance with its {@link
 * OpsServer} on a loopback port, and single-instance requests ({@code {"instances": [[784
 * floats]]}}, Fashion-MNIST images) to {@code POST /v1/models/{name}:predict} from two real
 * clients: {@code java.net.http.HttpClient} (HTTP/1.1 keep-alive) and a plain keep-alive socket per
 * client thread ({@link RawHttpConnection}), so the client library's own cost shows.
 *
 * <p>Open loop: every request has a scheduled time, and its latency is measured from that time to
 * the whole answer, so a stall delays every request behind it in the figures too (no coordinated
 * omission). HttpClient sends each request asynchronously at its time (opening connections as it
 * needs them); the socket client, like wrk2, spreads the schedule over a fixed set of connections,
 * each sending its next request at its time or as soon as its previous answer is in. Closed loop:
 * {@code clients} threads each send the next request when the previous answer is in, for the most
 * requests per second. Failed requests (any answer but 200, a closed connection) are counted.
 */
final class RestPredictBench {
  private static final Logger log = LoggerFactory.getLogger(RestPredictBench.class);
  private static final long WARM_UP_NANOS = 3_000_000_000L;
  /** Connections of the socket client's open loop: enough that one slow answer does not hold the schedule. */
  private static final int OPEN_LOOP_CONNECTIONS = 8;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final List<HttpRequest> requests = new ArrayList<>();
  private final List<byte[]> rawRequests = new ArrayList<>();
  private final int port;

  private RestPredictBench(int port, String path, List<float[]> rows) {
    this.port = port;
    URI uri = URI.create("http://127.0.0.1:" + port + path);
    for (float[] row : rows) {
      StringBuilder b = new StringBuilder(row.length * 12).append("{\"instances\":[[");
      for (int i = 0; i < row.length; i++) {
        b.append(i == 0 ? "" : ",").append(row[i]);
      }
      String json = b.append("]]}").toString();
      requests.add(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
      rawRequests.add(RawHttpConnection.post("127.0.0.1", port, path, json));
    }
  }

  /**
   * Serves {@code model}'s live version with {@code settings} (an idle input topic) and prints the
   * table of the open-loop runs at {@code rate} requests/s for {@code seconds} and of the closed
   * loops with {@code clients} clients.
   */
  static void run(InferenceSettings settings, List<float[]> rows, int rate, int seconds, int clients,
                  PrintStream out) throws Exception {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try (OpsServer ops = new OpsServer("inference");
         InferenceService service = new InferenceService(settings, ops)) {
      int port = ops.start(HttpSettings.loopback(0)).orElseThrow();
      service.start();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (service.served().current() == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no version served after 60 s; see the log");
        }
        Thread.sleep(10);
      }
      RestPredictBench bench = new RestPredictBench(port, "/v1/models/" + settings.model() + ":predict", rows);
      long nanos = seconds * 1_000_000_000L;
      long closedNanos = Math.max(3, seconds / 2) * 1_000_000_000L;
      bench.openLoopRaw(rate, WARM_UP_NANOS); // warm-up: JIT, connections
      Result raw = bench.openLoopRaw(rate, nanos);
      Result rawClosed = bench.closedLoopRaw(clients, closedNanos);
      bench.openLoopHttpClient(Math.min(rate, 200), WARM_UP_NANOS);
      Result client = bench.openLoopHttpClient(rate, nanos);
      Result clientClosed = bench.closedLoopHttpClient(clients, closedNanos);
      double after = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      out.printf(Locale.ROOT, "%nREST predict: POST /v1/models/%s:predict, one 784-float instance per request,"
          + " MLP 784-128-10, on loopback, client and server in one JVM (load average before: %.2f, after: %.2f)%n%n",
          settings.model(), load, after);
      out.println("| run | requests/s | p50 ms | p99 ms | p99.9 ms | max ms | failed | goal |");
      out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
      out.println(raw.row("keep-alive sockets (" + OPEN_LOOP_CONNECTIONS + "), open loop " + rate
          + " requests/s, " + seconds + " s after 3 s warm-up", "p99 <= 5"));
      out.println(rawClosed.row("keep-alive sockets, closed loop, " + clients + " clients, max throughput", ""));
      out.println(client.row("java.net.http.HttpClient, open loop " + rate + " requests/s, " + seconds + " s", ""));
      out.println(clientClosed.row("java.net.http.HttpClient, closed loop, " + clients + " clients", ""));
      Timer inServer = ops.meters().find("streamlearn.rest.predict.duration")
          .tag("outcome", "ok").timer();
      if (inServer != null) {
        out.printf(Locale.ROOT, "%nIn the server (streamlearn_rest_predict_duration_seconds: routed request -> answer"
            + " bytes; parse, score, write), all %d requests: mean %.1f µs, max %.1f ms%n", inServer.count(),
            inServer.mean(TimeUnit.MICROSECONDS), inServer.max(TimeUnit.MILLISECONDS));
      }
    }
  }

  /** Latencies (µs, from the scheduled send), the rate achieved and the failed requests. */
  private record Result(LongSamples micros, double perSecond, long failed) {
    String row(String run, String goal) {
      return String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %s |", run, perSecond,
          micros.percentile(0.5) / 1000.0, micros.percentile(0.99) / 1000.0, micros.percentile(0.999) / 1000.0,
          micros.percentile(1) / 1000.0, failed, goal);
    }
  }

  /** wrk2's schedule: connection {@code c} sends requests {@code c, c + C, c + 2C, ...} at their times. */
  private Result openLoopRaw(int rate, long nanos) throws Exception {
    LongSamples micros = new LongSamples();
    AtomicLong failures = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime() + 10_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < OPEN_LOOP_CONNECTIONS; c++) {
      int first = c;
      Thread t = new Thread(() -> {
        RawHttpConnection conn = null;
        for (long i = first; i * interval < nanos; i += OPEN_LOOP_CONNECTIONS) {
          long due = start + i * interval;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          try {
            if (conn == null) {
              conn = new RawHttpConnection("127.0.0.1", port);
            }
            if (conn.exchange(rawRequests.get((int) (i % rawRequests.size()))) != 200) {
              failures.incrementAndGet();
            }
          } catch (IOException e) {
            failures.incrementAndGet();
            log.warn("predict failed: {}", e.toString());
            closeQuietly(conn);
            conn = null;
          }
          micros.add((System.nanoTime() - due) / 1000);
          sent.incrementAndGet();
        }
        closeQuietly(conn);
      }, "rest-open-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return new Result(micros, sent.get() / ((System.nanoTime() - start) / 1e9), failures.get());
  }

  private Result closedLoopRaw(int clients, long nanos) throws Exception {
    return closedLoop(clients, nanos, c -> {
      RawHttpConnection conn = new RawHttpConnection("127.0.0.1", port);
      return new Client() {
        @Override
        public int send(int i) throws Exception {
          return conn.exchange(rawRequests.get(i % rawRequests.size()));
        }

        @Override
        public void close() throws Exception {
          conn.close();
        }
      };
    });
  }

  private Result closedLoopHttpClient(int clients, long nanos) throws Exception {
    return closedLoop(clients, nanos, c -> new Client() {
      @Override
      public int send(int i) throws Exception {
        return http.send(requests.get(i % requests.size()), HttpResponse.BodyHandlers.ofByteArray()).statusCode();
      }

      @Override
      public void close() {}
    });
  }

  /** One closed-loop client. */
  private interface Client extends AutoCloseable {
    int send(int i) throws Exception;
  }

  /** Makes a client per thread. */
  private interface ClientFactory {
    Client open(int thread) throws Exception;
  }

  private static void closeQuietly(RawHttpConnection conn) {
    if (conn != null) {
      try {
        conn.close();
      } catch (IOException e) {
        log.debug("close: {}", e.toString());
      }
    }
  }

  private Result openLoopHttpClient(int rate, long nanos) throws Exception {
    LongSamples micros = new LongSamples();
    AtomicLong failures = new AtomicLong();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime();
    int n = 0;
    for (long due = start; due - start < nanos; due += interval, n++) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long scheduled = due;
      pending.add(http.sendAsync(requests.get(n % requests.size()), HttpResponse.BodyHandlers.ofByteArray())
          .handle((r, e) -> {
            if (e != null || r.statusCode() != 200) {
              failures.incrementAndGet();
              log.debug("predict failed: {}", e != null ? e.toString() : r.statusCode());
            }
            micros.add((System.nanoTime() - scheduled) / 1000);
            return null;
          }));
      if (pending.size() >= 4096) { // keep the list short; most are done by then
        pending.removeIf(CompletableFuture::isDone);
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
    return new Result(micros, n / ((System.nanoTime() - start) / 1e9), failures.get());
  }

  private Result closedLoop(int clients, long nanos, ClientFactory factory) throws Exception {
    LongSamples micros = new LongSamples();
    AtomicLong failures = new AtomicLong();
    AtomicLong done = new AtomicLong();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int offset = c;
      Thread t = new Thread(() -> {
        try (Client client = factory.open(offset)) {
          for (int i = offset; System.nanoTime() - start < nanos; i += clients) {
            long t0 = System.nanoTime();
            try {
              if (client.send(i) != 200) {
                failures.incrementAndGet();
              }
            } catch (Exception e) {
              failures.incrementAndGet();
              log.warn("predict failed: {}", e.toString());
            }
            micros.add((System.nanoTime() - t0) / 1000);
            done.incrementAndGet();
          }
        } catch (Exception e) {
          failures.incrementAndGet();
          log.warn("client {} failed: {}", offset, e.toString());
        }
      }, "rest-closed-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return new Result(micros, done.get() / ((System.nanoTime() - start) / 1e9), failures.get());
  }
}
