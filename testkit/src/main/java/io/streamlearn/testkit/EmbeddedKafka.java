package io.streamlearn.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in this JVM on
 * free loopback ports.
 *
 * <p>It formats its log directory the way {@code kafka-storage.sh format} does, then starts
 * {@link KafkaRaftServer}. {@link #stop()} and {@link #start()} restart it on the same ports and log
 * directory, so tests can restart the broker under running clients. Internal topics are sized for
 * one node (replication factor 1, few partitions) so consumer groups and transactions start fast.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Path logDir;
  private final boolean ownsLogDir;
  private final int brokerPort;
  private final int controllerPort;
  private final String clusterId;
  private final Map<String, String> overrides;
  private final SecurityFixture security;
  private KafkaRaftServer server;

  private EmbeddedKafka(Path logDir, boolean ownsLogDir, Map<String, String> overrides,
                        SecurityFixture security) {
    this(logDir, ownsLogDir, 0, overrides, security);
  }

  private EmbeddedKafka(Path logDir, boolean ownsLogDir, int brokerPort, Map<String, String> overrides,
                        SecurityFixture security) {
    this.logDir = logDir;
    this.ownsLogDir = ownsLogDir;
    this.brokerPort = brokerPort == 0 ? freePort() : brokerPort;
    this.controllerPort = freePort();
    this.clusterId = Uuid.randomUuid().toString();
    this.overrides = Map.copyOf(overrides);
    this.security = security;
  }

  /** Starts a broker in a new temporary directory, deleted by {@link #close()}. */
  public static EmbeddedKafka start() {
    return start(Map.of());
  }

  /** Starts a broker in a new temporary directory with extra broker properties. */
  public static EmbeddedKafka start(Map<String, String> brokerOverrides) {
    try {
      EmbeddedKafka kafka = new EmbeddedKafka(
          Files.createTempDirectory("streamlearn-kafka-"), true, brokerOverrides, null);
      kafka.startServer();
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's log directory", e);
    }
  }

  /**
   * Starts a broker whose client listener is {@code localhost:brokerPort} (0: any free port), in
   * a new temporary directory: what the demo uses so that clients outside the JVM find it at a
   * documented address.
   *
   * @throws IllegalStateException when the port is taken
   */
  public static EmbeddedKafka startOnPort(int brokerPort) {
    if (brokerPort < 0 || brokerPort > 65_535) {
      throw new IllegalArgumentException("brokerPort must be in [0, 65535], found " + brokerPort);
    }
    if (brokerPort != 0 && !isFree(brokerPort)) {
      throw new IllegalStateException("port " + brokerPort + " on localhost is taken");
    }
    try {
      EmbeddedKafka kafka = new EmbeddedKafka(
          Files.createTempDirectory("streamlearn-kafka-"), true, brokerPort, Map.of(), null);
      kafka.startServer();
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's log directory", e);
    }
  }

  /** Whether a server socket can listen on {@code localhost:port} now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // No SO_REUSEADDR: a port another process listens on (or still holds) must count as taken.
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName("localhost"), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The port of the client listener on localhost. */
  public int port() {
    return brokerPort;
  }

  /**
   * Starts a broker whose client listener takes SASL/SCRAM-SHA-256 over TLS only, with ACLs
   * enforced ({@code StandardAuthorizer}, nothing allowed without an ACL). Its {@link
   * #clientProperties()} connect as the broker's super user; apps connect with {@link
   * #security()}{@code .clientProperties()} as a user that has only the ACLs a test grants.
   */
  public static EmbeddedKafka startSecured() {
    try {
      Path dir = Files.createTempDirectory("streamlearn-kafka-secured-");
      EmbeddedKafka kafka = new EmbeddedKafka(dir, true, Map.of(),
          SecurityFixture.create(Files.createDirectories(dir.resolve("tls"))));
      kafka.startServer();
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's directories", e);
    }
  }

  /** The TLS material and SCRAM users of a secured broker, or {@code null} for a plain one. */
  public SecurityFixture security() {
    return security;
  }

  /**
   * Client properties for this broker: bootstrap servers and, on a secured broker, the super
   * user's SASL_SSL settings.
   */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    if (security != null) {
      props.putAll(security.clientProperties(security.adminUser(), security.adminPassword()));
    }
    return props;
  }

  /** {@code host:port} of the broker's client listener. */
  public String bootstrapServers() {
    return "localhost:" + brokerPort;
  }

  /** The broker's log directory (kept across {@link #stop()}/{@link #start()}). */
  public Path logDir() {
    return logDir;
  }

  /** Starts the broker again after {@link #stop()}, on the same ports and log directory. */
  public synchronized void restart() {
    if (server != null) {
      throw new IllegalStateException("broker is running");
    }
    startServer();
  }

  /** Stops the broker, keeping its data. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
      log.info("embedded Kafka on {} stopped", bootstrapServers());
    }
  }

  /** Whether the broker is running. */
  public synchronized boolean isRunning() {
    return server != null;
  }

  /**
   * Creates a topic (no-op when it exists) with the given partitions and topic configs, and returns
   * once the broker's metadata names a leader for every partition. Without that wait a producer that
   * sends at once can meet NOT_LEADER_OR_FOLLOWER, and an idempotent one retrying then was seen
   * (Kafka 4.3.1, a loaded machine) to loop on OUT_OF_ORDER_SEQUENCE_NUMBER for good, hanging its
   * {@code close()}.
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try (Admin admin = admin()) {
      try {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e);
        }
      }
      awaitLeaders(admin, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  private static void awaitLeaders(Admin admin, String name) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames().get().get(name);
        if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot describe topic " + name + ": " + e.getCause(), e);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + name + " has a partition without a leader after 30 s");
      }
      Thread.sleep(20);
    }
  }

  /** Creates a topic with one partition and default configs. */
  public void createTopic(String name) {
    createTopic(name, 1, Map.of());
  }

  /** A new admin client on this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(clientProperties());
  }

  @Override
  public synchronized void close() {
    stop();
    if (ownsLogDir) {
      deleteRecursively(logDir);
    }
  }

  private synchronized void startServer() {
    long started = System.nanoTime();
    Properties props = brokerProperties();
    format();
    KafkaRaftServer raft = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    raft.startup();
    server = raft;
    awaitReady();
    log.info("embedded Kafka started on {} in {} ms", bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000);
  }

  private Properties brokerProperties() {
    Map<String, String> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
    p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.resolve("data").toString());
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
    if (security != null) {
      p.putAll(security.brokerProperties(brokerPort, controllerPort));
    }
    p.putAll(overrides);
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }

  private void format() {
    Path dataDir = logDir.resolve("data");
    if (Files.exists(dataDir.resolve("meta.properties"))) {
      return; // formatted on an earlier start: a restart keeps the data
    }
    try {
      new Formatter()
          .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
          .setNodeId(1)
          .setClusterId(clusterId)
          .setDirectories(List.of(dataDir.toString()))
          .setMetadataLogDirectory(dataDir.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setControllerListenerName("CONTROLLER")
          .setUnstableFeatureVersionsEnabled(false)
          .setIgnoreFormatted(true)
          .setScramArguments(security == null ? List.of() : security.scramArguments())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format KRaft storage in " + dataDir + ": " + e, e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get().isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("broker did not become ready: " + e.getCause(), e);
          }
        }
        Thread.sleep(50);
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("broker did not become ready within 60 s");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }
}
