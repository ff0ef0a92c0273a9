package io.streamlearn.schema.user;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A schema registry that answers with recorded responses (Confluent's REST shapes, from the
 * fixtures), on the JDK's HTTP server at a loopback port. It counts requests per path, records
 * every request's Authorization header and body, and can demand a basic-auth header or hang.
 */
final class RecordedSchemaRegistry implements AutoCloseable {
  private record Answer(int status, String body) {}

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final List<String> requestBodies = new CopyOnWriteArrayList<>();
  private volatile String requiredAuthorization;
  private volatile Answer everything;
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean hang;

  RecordedSchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Serves the recorded flight schemas (ids 7 and 8), a Protobuf (9) and one with references (10). */
  static RecordedSchemaRegistry withFlightSchemas() throws IOException {
    RecordedSchemaRegistry r = new RecordedSchemaRegistry();
    for (int id : new int[] {7, 8, 9, 10}) {
      r.answer("GET /schemas/ids/" + id, 200, Fixtures.text("registry/schemas-ids-" + id + ".json"));
    }
    return r;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  RecordedSchemaRegistry answer(String methodAndPath, int status, String body) {
    answers.put(methodAndPath, new Answer(status, body));
    return this;
  }

  /** Answers every request with this status and body (a failing or refusing registry). */
  RecordedSchemaRegistry answerEverything(int status, String body) {
    everything = new Answer(status, body);
    return this;
  }

  /** Answers 401 (Confluent's body) unless the request carries this Authorization header. */
  RecordedSchemaRegistry requireAuthorization(String header) {
    requiredAuthorization = header;
    return this;
  }

  /** Accepts requests but never answers until closed (a registry that hangs). */
  RecordedSchemaRegistry hang() {
    hang = true;
    return this;
  }

  int calls(String methodAndPath) {
    AtomicInteger n = calls.get(methodAndPath);
    return n == null ? 0 : n.get();
  }

  int totalCalls() {
    return calls.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
      calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      authorizations.add(auth == null ? "" : auth);
      requestBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      if (hang) {
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      Answer answer;
      if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
        answer = new Answer(401, Fixtures.text("registry/error-401.json"));
      } else if (everything != null) {
        answer = everything;
      } else {
        answer = answers.getOrDefault(key, new Answer(404, Fixtures.text("registry/error-40403.json")));
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
      exchange.sendResponseHeaders(answer.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
  }
}
