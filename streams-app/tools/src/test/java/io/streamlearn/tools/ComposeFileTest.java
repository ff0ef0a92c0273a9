package io.streamlearn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streamlearn.app.OpsServer;
import io.streamlearn.cli.Main;
import io.streamlearn.cli.TailConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.dashboard.DashboardConfig;
import io.streamlearn.registry.http.Health;
import io.streamlearn.demo.DemoConfig;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.train.TrainerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no Docker engine here, so this checks compose/docker-compose.yml against the app
 * itself: every command exists, every flag and STREAMLEARN_ variable is a key of that command's
 * configuration table with a valid value, all apps talk to the broker's listener, agree on the
 * model and topics, the inference replicas share one application id, every app that serves HTTP
 * listens beyond the loopback and is health-checked on its readiness, the dashboard's port is
 * published, Prometheus scrapes every such app at /metrics on its port, and the broker is KRaft
 * apache/kafka of the client's version.
 */
class ComposeFileTest {
  private static final Path COMPOSE = Path.of("..", "..", "compose", "docker-compose.yml");
  private static final Path PROMETHEUS = Path.of("..", "..", "compose", "prometheus.yml");
  private static final Map<String, ConfigDef> DEFS = Map.of("train", TrainerConfig.DEF,
      "serve", InferenceConfig.DEF, "dashboard", DashboardConfig.DEF, "produce", ProduceConfig.DEF,
      "tail", TailConfig.DEF, "demo", DemoConfig.DEF);
  private static final Map<String, Function<Map<String, String>, AbstractConfig>> PARSERS = Map.of(
      "train", TrainerConfig::new, "serve", InferenceConfig::new, "dashboard", DashboardConfig::new,
      "produce", ProduceConfig::new, "tail", TailConfig::new, "demo", DemoConfig::new);
  private static Map<String, Map<String, Object>> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws Exception {
    Map<String, Object> compose = new Yaml().load(Files.readString(COMPOSE));
    services = (Map<String, Map<String, Object>>) compose.get("services");
    assertNotNull(services, "compose file has services");
  }

  /** The services built from the app's Dockerfile (not the broker, not Prometheus). */
  private static List<String> appServices() {
    return services.keySet().stream().filter(s -> services.get(s).containsKey("build")).toList();
  }

  /** Each app service that serves HTTP, with its port. */
  private static Map<String, Integer> httpPorts() {
    Map<String, Integer> out = new TreeMap<>();
    for (String s : appServices()) {
      Object port = config(s).values().get(HttpKeys.PORT);
      if (port != null) {
        out.put(s, (Integer) port);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> env(String service) {
    Map<String, String> out = new LinkedHashMap<>();
    Object env = services.get(service).get("environment");
    if (env instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    } else if (env instanceof List<?> l) {
      for (Object item : l) {
        String s = String.valueOf(item);
        out.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<String> command(String service) {
    Object c = services.get(service).get("command");
    assertTrue(c instanceof List, service + ": command is a list, found " + c);
    return ((List<Object>) c).stream().map(String::valueOf).toList();
  }

  /** The parsed configuration of an app service, exactly as its command would build it. */
  private static AbstractConfig config(String service) {
    List<String> cmd = command(service);
    String name = cmd.get(0);
    Map<String, String> merged = Settings.collect(DEFS.get(name), cmd.subList(1, cmd.size()), env(service));
    return PARSERS.get(name).apply(merged);
  }

  @Test
  void theStackHasABrokerATrainerTwoInferenceReplicasAndTheDashboard() {
    assertTrue(services.keySet().containsAll(List.of("kafka", "trainer", "dashboard")),
        "services: " + services.keySet());
    long replicas = appServices().stream().filter(s -> command(s).get(0).equals("serve")).count();
    assertEquals(2, replicas, "inference replicas in " + services.keySet());
    for (String s : services.keySet()) {
      assertNotNull(services.get(s).get("healthcheck"), s + " has a health check");
    }
  }

  @Test
  void theBrokerIsKraftApacheKafkaOfTheClientsVersion() {
    Map<String, Object> kafka = services.get("kafka");
    assertEquals("apache/kafka:" + AppInfoParser.getVersion(), kafka.get("image"),
        "the broker image matches the Kafka client version the app is built with");
    Map<String, String> env = env("kafka");
    assertEquals("broker,controller", env.get("KAFKA_PROCESS_ROLES"), "KRaft combined mode");
    assertTrue(env.get("KAFKA_ADVERTISED_LISTENERS").contains("PLAINTEXT://kafka:9092"),
        env.get("KAFKA_ADVERTISED_LISTENERS"));
    assertEquals("1", env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"),
        "transactions need the state log to fit one broker");
    assertTrue(Long.parseLong(env.get("KAFKA_MESSAGE_MAX_BYTES")) >= io.streamlearn.app.KafkaSupport.MAX_MODEL_BYTES,
        "registry records up to " + io.streamlearn.app.KafkaSupport.MAX_MODEL_BYTES + " bytes fit");
  }

  @Test
  void everyCommandOptionAndVariableExistsAndIsValid() {
    for (String s : appServices()) {
      List<String> cmd = command(s);
      assertTrue(DEFS.containsKey(cmd.get(0)), s + ": unknown command " + cmd.get(0));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      assertEquals(Main.OK, ToolsMain.run(List.of(cmd.get(0), "--help"), Map.of(),
          new PrintStream(bytes, true, StandardCharsets.UTF_8)), s + ": the launcher knows " + cmd.get(0));
      ConfigDef def = DEFS.get(cmd.get(0));
      for (String var : env(s).keySet()) {
        assertTrue(var.startsWith("STREAMLEARN_"), s + ": " + var + " is not a streamlearn setting");
        String key = var.substring("STREAMLEARN_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
        assertTrue(def.names().contains(key) || key.startsWith(Settings.KAFKA_PREFIX),
            s + ": " + var + " is no key of '" + cmd.get(0) + "' (" + key + ")");
      }
      try {
        config(s);
      } catch (ConfigException e) {
        fail(s + ": its command and environment do not parse: " + e.getMessage());
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void appsTalkToTheBrokerAndAgreeOnModelAndTopics() {
    Set<String> keys = Set.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.MODEL_NAME, CommonKeys.LABELED_TOPIC,
        CommonKeys.FEATURES_TOPIC, CommonKeys.PREDICTIONS_TOPIC, CommonKeys.MODELS_TOPIC,
        CommonKeys.METRICS_TOPIC, CommonKeys.DEAD_LETTER_TOPIC);
    Map<String, Object> reference = null;
    String referenceService = null;
    for (String s : appServices()) {
      AbstractConfig c = config(s);
      Map<String, Object> shared = new HashMap<>();
      keys.forEach(k -> shared.put(k, c.values().get(k)));
      assertEquals("kafka:9092", shared.get(CommonKeys.BOOTSTRAP_SERVERS), s + " uses the broker's in-network listener");
      List<String> deps = new ArrayList<>(((Map<String, Object>) services.get(s).get("depends_on")).keySet());
      assertEquals(List.of("kafka"), deps, s + " waits for the broker");
      if (reference == null) {
        reference = shared;
        referenceService = s;
      } else {
        assertEquals(reference, shared, s + " and " + referenceService + " agree on model and topics");
      }
    }
    List<?> appIds = appServices().stream().filter(s -> command(s).get(0).equals("serve"))
        .map(s -> config(s).values().get(InferenceConfig.APPLICATION_ID)).distinct().toList();
    assertEquals(1, appIds.size(), "inference replicas share one application id, so they split the partitions: " + appIds);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theDashboardPortIsPublished() {
    AbstractConfig c = config("dashboard");
    int port = (Integer) c.values().get(DashboardConfig.HTTP_PORT);
    List<Object> ports = (List<Object>) services.get("dashboard").get("ports");
    assertTrue(ports.stream().map(String::valueOf).anyMatch(p -> p.endsWith(":" + port)),
        "the dashboard's port " + port + " is published: " + ports);
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyServerListensBeyondLoopbackAndIsHealthCheckedOnItsReadiness() {
    Map<String, Integer> ports = httpPorts();
    assertTrue(ports.keySet().containsAll(List.of("trainer", "inference-1", "inference-2", "dashboard")),
        "train, serve and the dashboard serve HTTP: " + ports);
    for (Map.Entry<String, Integer> e : ports.entrySet()) {
      String s = e.getKey();
      assertTrue(e.getValue() > 0, s + " serves HTTP on a fixed port, found " + e.getValue());
      assertEquals("0.0.0.0", config(s).values().get(HttpKeys.HOST),
          s + " sets STREAMLEARN_HTTP_HOST so that its health check, Prometheus and a published port reach it");
      List<Object> check = (List<Object>) ((Map<String, Object>) services.get(s).get("healthcheck")).get("test");
      assertEquals(List.of("CMD", "curl", "-fsS", "http://localhost:" + e.getValue() + Health.READY_PATH), check,
          s + " is healthy when its own readiness says so");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesEveryServerAtMetricsOnItsPort() throws Exception {
    Map<String, Object> prometheus = services.get("prometheus");
    assertNotNull(prometheus, "the stack has a prometheus service");
    assertTrue(String.valueOf(prometheus.get("image")).matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+"),
        "Prometheus' version is pinned: " + prometheus.get("image"));
    assertTrue(((List<Object>) prometheus.get("volumes")).contains("./prometheus.yml:/etc/prometheus/prometheus.yml:ro"),
        "it reads compose/prometheus.yml: " + prometheus.get("volumes"));
    Map<String, Object> config = new Yaml().load(Files.readString(PROMETHEUS));
    Map<String, Integer> scraped = new TreeMap<>();
    for (Object j : (List<Object>) config.get("scrape_configs")) {
      Map<String, Object> job = (Map<String, Object>) j;
      assertEquals(OpsServer.METRICS_PATH, job.getOrDefault("metrics_path", "/metrics"),
          job.get("job_name") + " scrapes the apps' metrics path");
      for (Object sc : (List<Object>) job.get("static_configs")) {
        for (Object t : (List<Object>) ((Map<String, Object>) sc).get("targets")) {
          String target = String.valueOf(t);
          String host = target.substring(0, target.lastIndexOf(':'));
          assertTrue(services.containsKey(host), job.get("job_name") + ": " + target + " is a compose service");
          assertEquals(null, scraped.put(host, Integer.parseInt(target.substring(target.lastIndexOf(':') + 1))),
              host + " is scraped once");
        }
      }
    }
    assertEquals(httpPorts(), scraped, "Prometheus scrapes every app that serves HTTP, on the port it serves");
  }

  @Test
  @SuppressWarnings("unchecked")
  void appServicesAreBuiltFromTheAppImageAndOnlyTheProducerFromTheToolsTarget() throws Exception {
    for (String s : appServices()) {
      Map<String, Object> build = (Map<String, Object>) services.get(s).get("build");
      assertNotNull(build, s + " is built from the app's Dockerfile");
      Path dockerfile = COMPOSE.getParent().resolve(String.valueOf(build.get("context")))
          .resolve(String.valueOf(build.get("dockerfile")));
      assertTrue(Files.isRegularFile(dockerfile), s + ": " + dockerfile + " exists");
      String text = Files.readString(dockerfile);
      assertTrue(text.contains("-jre"), "the image is on a JRE base");
      String target = String.valueOf(build.get("target"));
      String command = command(s).get(0);
      // Only produce needs the tools jar (its generators); the services run from the runtime image.
      assertEquals(command.equals("produce") ? "tools" : "runtime", target, s + " builds the right target");
      String stage = text.substring(text.indexOf(" AS " + target));
      stage = stage.contains("\nFROM ") ? stage.substring(0, stage.indexOf("\nFROM ")) : stage;
      String jar = target.equals("tools") ? "streams-app/tools/target/streamlearn-tools.jar"
          : "streams-app/cli/target/streamlearn.jar";
      assertTrue(stage.contains(jar) && stage.contains(jar.substring(0, jar.lastIndexOf('/')) + "/lib/"),
          s + ": the " + target + " image holds its launcher's jar and its lib/");
      assertFalse(target.equals("runtime") && stage.contains("tools/target"),
          "the runtime image carries no tools jar (and so no broker)");
      assertFalse(services.get(s).containsKey("entrypoint"), s + " uses the image's entry point");
    }
  }
}
