package io.streamlearn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streamlearn.app.OpsServer;
import io.streamlearn.cli.Main;
import io.streamlearn.cli.RegistryConfig;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.registry.http.Health;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.train.TrainerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no cluster, kubectl or kustomize here, so this checks deploy/k8s against the app and
 * the image instead: the kustomization lists exactly the manifests in the folder; every resource
 * is a kind this base means to ship; every container runs the runtime image the Dockerfile builds,
 * with a command of its launcher and only flags and {@code STREAMLEARN_} variables (the ConfigMap's
 * included) that the command's configuration table accepts; probes, ports, Services and scrape
 * annotations point at the port the app listens on and at paths it answers; and the pods run as
 * the image's non-root user with resources set.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("..", "..", "deploy", "k8s");
  private static final Path DOCKERFILE = Path.of("..", "..", "Dockerfile");
  private static final Map<String, String> API_VERSIONS = Map.of("Deployment", "apps/v1", "Service", "v1",
      "ConfigMap", "v1");
  private static final Map<String, ConfigDef> DEFS = Map.of("train", TrainerConfig.DEF,
      "serve", InferenceConfig.DEF, "registry", RegistryConfig.DEF);
  private static final Map<String, Function<Map<String, String>, AbstractConfig>> PARSERS = Map.of(
      "train", TrainerConfig::new, "serve", InferenceConfig::new, "registry", RegistryConfig::new);
  /** Variables of the JVM and of the native libraries, which no configuration table declares. */
  private static final Set<String> PROCESS_VARIABLES = Set.of("OMP_NUM_THREADS", "JAVA_TOOL_OPTIONS");
  private static final String ANY_INTERFACE = "0.0.0.0";

  /** One resource of the base, with the file it came from. */
  private record Resource(String file, Map<String, Object> body) {
    String kind() {
      return String.valueOf(body.get("kind"));
    }

    String name() {
      return String.valueOf(map(body, "metadata").get("name"));
    }

    @Override
    public String toString() {
      return kind() + " " + name() + " (" + file + ")";
    }
  }

  /** One container of a Deployment, with the settings its command would run with. */
  private record App(Resource deployment, Map<String, Object> container, String command, AbstractConfig config) {
    Map<String, Object> pod() {
      return map(map(deployment.body(), "spec"), "template");
    }

    int httpPort() {
      return (Integer) config.values().get(HttpKeys.PORT);
    }

    @Override
    public String toString() {
      return deployment.name() + "/" + container.get("name") + " (" + command + ")";
    }
  }

  private static Map<String, Object> kustomization;
  private static List<Resource> resources;

  @BeforeAll
  static void parse() throws Exception {
    kustomization = new Yaml().load(Files.readString(K8S.resolve("kustomization.yaml")));
    resources = new ArrayList<>();
    for (String file : listed()) {
      Path path = K8S.resolve(file);
      assertTrue(Files.isRegularFile(path), "kustomization.yaml lists " + file + ", which exists");
      for (Object doc : new Yaml().loadAll(Files.readString(path))) {
        if (doc != null) {
          resources.add(new Resource(file, cast(doc)));
        }
      }
    }
  }

  @Test
  void theKustomizationListsEveryManifestInTheFolderAndIsNamespaceFree() throws Exception {
    assertEquals("kustomize.config.k8s.io/v1beta1", kustomization.get("apiVersion"));
    assertEquals("Kustomization", kustomization.get("kind"));
    assertFalse(kustomization.containsKey("namespace"), "a base leaves the namespace to its user");
    Set<String> inFolder = new TreeSet<>();
    Set<String> others = new TreeSet<>();
    try (Stream<Path> files = Files.list(K8S)) {
      files.map(p -> p.getFileName().toString()).forEach(f ->
          (f.endsWith(".yaml") || f.endsWith(".yml") ? inFolder : others).add(f));
    }
    inFolder.remove("kustomization.yaml");
    assertEquals(inFolder, new TreeSet<>(listed()), "every manifest in deploy/k8s is a resource of the base");
    assertEquals(Set.of("README.md"), others, "deploy/k8s holds manifests and their README only");
    for (Resource r : resources) {
      assertFalse(map(r.body(), "metadata").containsKey("namespace"), r + " names no namespace");
    }
  }

  @Test
  void everyResourceIsAKnownKindAndApiVersion() {
    assertFalse(resources.isEmpty(), "the base has resources");
    for (Resource r : resources) {
      assertTrue(API_VERSIONS.containsKey(r.kind()), r + ": a kind this base ships, one of " + API_VERSIONS.keySet());
      assertEquals(API_VERSIONS.get(r.kind()), r.body().get("apiVersion"), r + ": apiVersion");
      assertNotNull(map(r.body(), "metadata").get("name"), r + " has a name");
    }
    Set<String> commands = new TreeSet<>();
    apps().forEach(a -> commands.add(a.command()));
    assertEquals(Set.of("train", "serve", "registry"), commands, "the base runs the trainer, inference and the registry");
  }

  @Test
  void everyContainerRunsTheRuntimeImageThroughItsEntryPoint() throws Exception {
    String dockerfile = Files.readString(DOCKERFILE);
    // the runtime image's tag, as the Dockerfile's build instructions give it (the one built without --target)
    Matcher tag = Pattern.compile("docker build -t (\\S+) \\.").matcher(dockerfile);
    assertTrue(tag.find(), "the Dockerfile says how its runtime image is tagged");
    assertTrue(dockerfile.contains("FROM base AS runtime") && dockerfile.contains("streamlearn.jar\"]"),
        "the Dockerfile's last stage is the runtime image of the launcher");
    for (Map<String, Object> container : containers()) {
      assertEquals(tag.group(1), container.get("image"), container.get("name") + " runs the runtime image");
      assertFalse(container.containsKey("command"), container.get("name") + " keeps the image's entry point");
    }
  }

  @Test
  void everyContainerRunsALauncherCommandWithOptionsAndVariablesItAccepts() {
    for (Map<String, Object> container : containers()) {
      List<String> args = strings(container.get("args"));
      assertFalse(args.isEmpty(), container.get("name") + " names a command");
      String command = args.get(0);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintStream print = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      assertEquals(Main.OK, Main.run(List.of(command, "--help"), Map.of(), print, print, List.of()),
          container.get("name") + ": the runtime launcher knows '" + command + "': " + bytes);
      assertTrue(DEFS.containsKey(command), container.get("name") + ": a service command, found " + command);
      Map<String, String> env = environment(container);
      for (String variable : env.keySet()) {
        assertTrue(variable.startsWith("STREAMLEARN_") || PROCESS_VARIABLES.contains(variable),
            container.get("name") + ": " + variable + " is neither a streamlearn setting nor one of " + PROCESS_VARIABLES);
      }
      Map<String, String> settings = new LinkedHashMap<>(env);
      settings.keySet().removeAll(PROCESS_VARIABLES);
      assertEquals(List.of(), Settings.unknownEnvironment(DEFS.get(command), settings),
          container.get("name") + ": every STREAMLEARN_ variable (the ConfigMap's too) is a key of '" + command + "'");
      try {
        Map<String, String> merged = Settings.collect(DEFS.get(command), args.subList(1, args.size()), env);
        PARSERS.get(command).apply(merged);
      } catch (ConfigException e) {
        fail(container.get("name") + ": its arguments and environment do not parse: " + e.getMessage());
      }
    }
  }

  @Test
  void probesPortsAndScrapeAnnotationsPointAtTheEndpointsTheAppServes() {
    for (App app : apps()) {
      assertEquals(ANY_INTERFACE, app.config().values().get(HttpKeys.HOST),
          app + " listens beyond the loopback interface, where the kubelet and Prometheus reach it");
      int port = app.httpPort();
      assertTrue(port > 0, app + " serves HTTP on a fixed port, found " + port);
      assertTrue(containerPorts(app.container()).containsValue(port), app + " declares its port " + port);
      Map<String, String> probes = Map.of("livenessProbe", Health.LIVE_PATH, "readinessProbe", Health.READY_PATH,
          "startupProbe", Health.LIVE_PATH);
      for (Map.Entry<String, String> probe : probes.entrySet()) {
        assertTrue(app.container().containsKey(probe.getKey()), app + " has a " + probe.getKey());
        Map<String, Object> get = map(map(app.container(), probe.getKey()), "httpGet");
        assertEquals(probe.getValue(), get.get("path"), app + ": " + probe.getKey() + " asks the app's own endpoint");
        assertEquals(port, resolvePort(app.container(), get.get("port")), app + ": " + probe.getKey() + " port");
      }
      Map<String, Object> annotations = map(map(app.pod(), "metadata"), "annotations");
      assertEquals("true", annotations.get("prometheus.io/scrape"), app + " asks to be scraped");
      assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"), app + ": scrape port");
      assertEquals(OpsServer.METRICS_PATH, annotations.get("prometheus.io/path"), app + ": scrape path");
    }
  }

  @Test
  void servicesSelectOneAppsPodsAndTargetItsPort() {
    Map<String, String> commandOfService = new LinkedHashMap<>();
    for (Resource service : resources.stream().filter(r -> r.kind().equals("Service")).toList()) {
      Map<String, Object> selector = map(map(service.body(), "spec"), "selector");
      assertFalse(selector.isEmpty(), service + " selects pods");
      List<App> selected = apps().stream()
          .filter(a -> map(map(a.pod(), "metadata"), "labels").entrySet().containsAll(selector.entrySet())).toList();
      assertEquals(1, selected.size(), service + " selects the pods of exactly one app: " + selected);
      App app = selected.get(0);
      for (Object p : list(map(service.body(), "spec").get("ports"))) {
        Map<String, Object> port = cast(p);
        assertEquals(app.httpPort(), resolvePort(app.container(), port.get("targetPort")),
            service + ": targetPort " + port.get("targetPort") + " is the port " + app + " serves");
      }
      commandOfService.put(service.name(), app.command());
    }
    assertEquals(List.of("registry", "serve"), commandOfService.values().stream().sorted().toList(),
        "a Service for the predict API and one for the registry: " + commandOfService);
    for (App app : apps()) {
      Map<String, Object> matchLabels = map(map(map(app.deployment().body(), "spec"), "selector"), "matchLabels");
      assertTrue(map(map(app.pod(), "metadata"), "labels").entrySet().containsAll(matchLabels.entrySet()),
          app.deployment() + ": its selector matches its own pods");
    }
  }

  @Test
  void theTrainerIsOneRecreatedReplicaAndInferenceReplicasShareTheWork() {
    App trainer = app("train");
    Map<String, Object> spec = map(trainer.deployment().body(), "spec");
    assertEquals(1, spec.get("replicas"), "one trainer: it reads every partition itself");
    assertEquals("Recreate", map(spec, "strategy").get("type"), "a rollout stops the old trainer first");
    assertEquals("1", environment(trainer.container()).get("OMP_NUM_THREADS"), "the trainer runs one OpenMP thread");

    App inference = app("serve");
    assertTrue((Integer) map(inference.deployment().body(), "spec").get("replicas") >= 2,
        "inference scales out: " + map(inference.deployment().body(), "spec").get("replicas"));
    String stateDir = String.valueOf(inference.config().values().get(InferenceConfig.STATE_DIR));
    Set<String> emptyDirs = new TreeSet<>();
    for (Object v : list(map(inference.pod(), "spec").get("volumes"))) {
      Map<String, Object> volume = cast(v);
      if (volume.containsKey("emptyDir")) {
        emptyDirs.add(String.valueOf(volume.get("name")));
      }
    }
    boolean onEmptyDir = list(inference.container().get("volumeMounts")).stream().map(KubernetesManifestsTest::cast)
        .anyMatch(m -> emptyDirs.contains(String.valueOf(m.get("name")))
            && stateDir.startsWith(String.valueOf(m.get("mountPath")) + "/"));
    assertTrue(onEmptyDir, "the Streams state dir " + stateDir + " is on an emptyDir volume " + emptyDirs);
  }

  @Test
  void podsRunAsTheImagesNonRootUserWithResourcesSet() throws Exception {
    Matcher uid = Pattern.compile("useradd [^\\n]*--uid (\\d+)").matcher(Files.readString(DOCKERFILE));
    assertTrue(uid.find(), "the Dockerfile creates its user with a fixed uid");
    for (App app : apps()) {
      Map<String, Object> security = map(map(app.pod(), "spec"), "securityContext");
      assertEquals(true, security.get("runAsNonRoot"), app + " runs as non-root");
      assertEquals(Integer.parseInt(uid.group(1)), security.get("runAsUser"), app + " runs as the image's user");
      assertEquals(false, map(app.container(), "securityContext").get("allowPrivilegeEscalation"), app.toString());
      Map<String, Object> resources = map(app.container(), "resources");
      for (String bound : List.of("requests", "limits")) {
        assertTrue(map(resources, bound).keySet().containsAll(List.of("cpu", "memory")),
            app + ": cpu and memory " + bound + ", found " + resources);
      }
    }
  }

  @Test
  void theRegistryTokenComesFromASecretTheBaseNeverCommits() {
    assertTrue(resources.stream().noneMatch(r -> r.kind().equals("Secret")), "the base commits no Secret");
    boolean registryHasToken = false;
    for (App app : apps()) {
      for (Object e : list(app.container().get("env"))) {
        Map<String, Object> variable = cast(e);
        Map<String, Object> from = map(variable, "valueFrom");
        if (from.containsKey("secretKeyRef")) {
          assertEquals(true, map(from, "secretKeyRef").get("optional"),
              app + ": " + variable.get("name") + " refers to a Secret the user creates, so the base applies without it");
        }
        if (variable.get("name").equals("STREAMLEARN_" + HttpKeys.TOKEN.toUpperCase(java.util.Locale.ROOT).replace('.', '_'))) {
          assertTrue(from.containsKey("secretKeyRef"), app + ": the token comes from a Secret, never a literal");
          registryHasToken |= app.command().equals("registry");
        }
      }
    }
    assertTrue(registryHasToken, "the registry reads its write token from the Secret");
  }

  // ---- reading the manifests

  private static List<String> listed() {
    return strings(kustomization.get("resources"));
  }

  private static List<Map<String, Object>> containers() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Resource d : resources.stream().filter(r -> r.kind().equals("Deployment")).toList()) {
      List<Object> cs = list(map(map(map(d.body(), "spec"), "template"), "spec").get("containers"));
      assertFalse(cs.isEmpty(), d + " has containers");
      cs.forEach(c -> out.add(cast(c)));
    }
    return out;
  }

  /** Every container of every Deployment, with its command's parsed configuration. */
  private static List<App> apps() {
    List<App> out = new ArrayList<>();
    for (Resource d : resources.stream().filter(r -> r.kind().equals("Deployment")).toList()) {
      for (Object c : list(map(map(map(d.body(), "spec"), "template"), "spec").get("containers"))) {
        Map<String, Object> container = cast(c);
        List<String> args = strings(container.get("args"));
        String command = args.get(0);
        assertTrue(PARSERS.containsKey(command), d + ": a service command, found " + command);
        AbstractConfig config = PARSERS.get(command).apply(
            Settings.collect(DEFS.get(command), args.subList(1, args.size()), environment(container)));
        out.add(new App(d, container, command, config));
      }
    }
    return out;
  }

  private static App app(String command) {
    List<App> found = apps().stream().filter(a -> a.command().equals(command)).toList();
    assertEquals(1, found.size(), "one Deployment runs '" + command + "': " + found);
    return found.get(0);
  }

  /**
   * The container's environment as the kubelet would set it: the ConfigMaps of {@code envFrom},
   * then {@code env}. A value from a Secret is a stand-in (the base has none to read).
   */
  private static Map<String, String> environment(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Object f : list(container.get("envFrom"))) {
      String name = String.valueOf(map(cast(f), "configMapRef").get("name"));
      Resource configMap = resources.stream().filter(r -> r.kind().equals("ConfigMap") && r.name().equals(name))
          .findFirst().orElse(null);
      assertNotNull(configMap, container.get("name") + " reads ConfigMap " + name + ", which the base defines");
      map(configMap.body(), "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
    }
    for (Object e : list(container.get("env"))) {
      Map<String, Object> variable = cast(e);
      Object value = variable.containsKey("value") ? variable.get("value")
          : map(variable, "valueFrom").containsKey("secretKeyRef") ? "from-a-secret" : null;
      assertNotNull(value, container.get("name") + ": " + variable.get("name") + " has a value or a Secret");
      env.put(String.valueOf(variable.get("name")), String.valueOf(value));
    }
    return env;
  }

  /** Port name to number of a container. */
  private static Map<String, Integer> containerPorts(Map<String, Object> container) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Object p : list(container.get("ports"))) {
      Map<String, Object> port = cast(p);
      out.put(String.valueOf(port.getOrDefault("name", port.get("containerPort"))), (Integer) port.get("containerPort"));
    }
    return out;
  }

  /** A probe's or Service's port, a number or the name of one of the container's ports. */
  private static Integer resolvePort(Map<String, Object> container, Object port) {
    if (port instanceof Integer number) {
      return number;
    }
    Integer resolved = containerPorts(container).get(String.valueOf(port));
    assertNotNull(resolved, container.get("name") + " has a port named " + port);
    return resolved;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object o) {
    assertTrue(o instanceof Map, "a mapping, found " + o);
    return (Map<String, Object>) o;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object child = parent.get(key);
    return child == null ? Map.of() : cast(child);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  private static List<String> strings(Object o) {
    return list(o).stream().map(String::valueOf).toList();
  }
}
