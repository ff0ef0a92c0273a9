package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.testkit.RandomModels;
import io.streamlearn.it.BrokerIT;
import io.streamlearn.registry.AliasChange;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.http.RegistryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the curl session of the README's registry section, line by line, against {@code
 * streamlearn registry} (started with the README's own command line) on an embedded broker, and
 * checks each status the README promises. Edit the README and this test follows.
 */
class RegistryReadmeIT extends BrokerIT {
  private static final Pattern EXPECTED = Pattern.compile("^# .* -> (\\d{3})$");

  /** The lines between the README's registry-curl markers, without the code fences. */
  static List<String> session() throws Exception {
    String readme = Files.readString(Path.of("../../README.md"));
    int begin = readme.indexOf("<!-- registry-curl-begin -->");
    int end = readme.indexOf("<!-- registry-curl-end -->");
    assertTrue(begin >= 0 && end > begin, "README.md has the registry-curl markers");
    return readme.substring(begin, end).lines().filter(l -> !l.startsWith("<!--") && !l.startsWith("```"))
        .filter(l -> !l.isBlank()).toList();
  }

  @Test
  void theReadmeCurlSessionAnswersAsDocumented() throws Exception {
    List<String> lines = session();
    Map<String, String> vars = new HashMap<>();
    String topic = "models-readme-" + UUID.randomUUID().toString().substring(0, 8);
    RegistryServer server = null;
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    int checked = 0;
    try {
      Integer expected = null;
      for (String line : lines) {
        List<String> words = Shell.words(line, vars);
        Matcher m = EXPECTED.matcher(line);
        if (m.matches()) {
          expected = Integer.parseInt(m.group(1));
        } else if (words.get(0).equals("export")) {
          String[] kv = words.get(1).split("=", 2);
          vars.put(kv[0], kv[1]);
        } else if (words.stream().anyMatch(w -> w.equals("./streamlearn"))) {
          server = startAsDocumented(words, topic);
          seed(topic, server);
        } else if (words.get(0).equals("curl")) {
          assertTrue(expected != null, "README line '" + line + "' is preceded by '# ... -> <status>'");
          HttpResponse<String> response = http.send(Shell.curl(words, server.port()),
              HttpResponse.BodyHandlers.ofString());
          assertEquals(expected.intValue(), response.statusCode(), line + "\n answered " + response.body());
          JsonNode body = json.readTree(response.body());
          if (expected >= 400) {
            assertTrue(body.hasNonNull("error") && body.get("error").isTextual(),
                "an error is {\"error\": message}: " + response.body());
          }
          expected = null;
          checked++;
        } else if (!line.startsWith("#")) {
          throw new AssertionError("README session line not understood: " + line);
        }
      }
      assertTrue(checked >= 10, "the README session has at least 10 calls, found " + checked);
      JsonNode versions = json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
          + server.port() + "/api/models/blobs/versions")).build(), HttpResponse.BodyHandlers.ofString()).body());
      JsonNode v3 = versions.get(versions.size() - 1);
      assertEquals(3, v3.get("version").asInt(), "versions are listed oldest first: " + versions);
      assertEquals(0.73, v3.get("metrics").get("holdoutAccuracy").asDouble(), 1e-9, "metrics: " + v3);
      assertEquals(3000, v3.get("lineage").get("examplesSeen").asLong(), "lineage: " + v3);
      assertEquals("streamlearn.labeled", v3.get("lineage").get("ranges").get(0).get("topic").asText());
      assertEquals("challenger", v3.get("aliases").get(0).asText(), "aliases of the version: " + v3);
      KafkaRegistry registry = server.registry();
      assertEquals(2, registry.aliases("blobs").get("live").version(), "live is back on 2, as the README says");
      assertEquals(3, registry.aliases("blobs").get("challenger").version());
      assertEquals(List.of(2L, 3L), List.copyOf(registry.versions("blobs").keySet()),
          "retention deleted version 1, as the README says");
      assertEquals(List.of("MOVE 2 trainer", "MOVE 3 alice", "ROLLBACK 2 bob"),
          registry.history("blobs").stream().filter(c -> c.alias().equals("live"))
              .map(c -> c.action() + " " + c.version() + " " + c.changedBy()).toList());
      assertTrue(registry.history("blobs").stream().allMatch(AliasChange::recorded),
          "the server recorded the trainer's move too: " + registry.history("blobs"));
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /** Starts the registry with the README's flags and environment, on this broker and a free port. */
  private RegistryServer startAsDocumented(List<String> words, String topic) throws Exception {
    Map<String, String> env = new HashMap<>();
    List<String> args = new ArrayList<>();
    boolean afterCommand = false;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (!afterCommand && w.contains("=")) {
        env.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
      } else if (w.equals("registry")) {
        afterCommand = true;
      } else if (afterCommand && !w.equals("&")) {
        args.add(w.equals("localhost:9092") ? kafka.bootstrapServers() : w);
      }
    }
    args.addAll(List.of("--http-port", "0", "--models-topic", topic));
    assertTrue(env.containsKey("STREAMLEARN_REGISTRY_TOKEN"), "the README starts the registry with a token: " + env);
    return RegistryCommand.start(RegistryConfig.fromArgs(args, env).settings());
  }

  /** What the README assumes: model blobs at versions 1 to 3, the trainer having moved live to 2. */
  private static void seed(String topic, RegistryServer server) {
    try (KafkaRegistry trainer = KafkaRegistry.open(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)) {
      for (int v = 1; v <= 3; v++) {
        trainer.publish(RandomModels.random("blobs", v, 4, "dense(8,relu) > dense(3,softmax)", v,
            Map.of("holdoutAccuracy", 0.7 + v / 100.0, "prequentialAccuracy", 0.68 + v / 100.0)));
      }
      trainer.promote("blobs", 2, "trainer", "published by the trainer");
    }
    server.registry().sync();
  }

  /** Just enough of a shell to run the README's lines. */
  static final class Shell {
    private Shell() {}

    /** Words of a line: single quotes literal, double quotes and bare words expand {@code $VAR}. */
    static List<String> words(String line, Map<String, String> vars) {
      List<String> out = new ArrayList<>();
      StringBuilder word = null;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == ' ') {
          if (word != null) {
            out.add(word.toString());
            word = null;
          }
        } else if (c == '\'' || c == '"') {
          int close = line.indexOf(c, i + 1);
          String quoted = line.substring(i + 1, close);
          word = (word == null ? new StringBuilder() : word).append(c == '"' ? expand(quoted, vars) : quoted);
          i = close;
        } else {
          int next = i;
          while (next < line.length() && " '\"".indexOf(line.charAt(next)) < 0) {
            next++;
          }
          word = (word == null ? new StringBuilder() : word).append(expand(line.substring(i, next), vars));
          i = next - 1;
        }
      }
      if (word != null) {
        out.add(word.toString());
      }
      return out;
    }

    private static String expand(String s, Map<String, String> vars) {
      Matcher m = Pattern.compile("\\$([A-Z_]+)").matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(vars.getOrDefault(m.group(1), "")));
      }
      return m.appendTail(out).toString();
    }

    /** The request of a {@code curl} line (-s, -X, -H, -d), to localhost:8090 rewritten to {@code port}. */
    static HttpRequest curl(List<String> words, int port) {
      String method = null;
      String body = null;
      String url = null;
      HttpRequest.Builder b = HttpRequest.newBuilder();
      for (int i = 1; i < words.size(); i++) {
        String w = words.get(i);
        switch (w) {
          case "-s":
            break;
          case "-X":
            method = words.get(++i);
            break;
          case "-H":
            String[] header = words.get(++i).split(":", 2);
            b.header(header[0].strip(), header[1].strip());
            break;
          case "-d":
            body = words.get(++i);
            break;
          default:
            if (w.startsWith("-")) {
              throw new AssertionError("curl option " + w + " is not understood by the README test");
            }
            url = w;
        }
      }
      if (url == null || !url.startsWith("localhost:8090/")) {
        throw new AssertionError("curl URL must start with localhost:8090/, found " + url);
      }
      method = method != null ? method : body != null ? "POST" : "GET";
      b.uri(URI.create("http://localhost:" + port + url.substring("localhost:8090".length())));
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      return b.build();
    }
  }
}
