package io.streamlearn.cli;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.registry.PromotionPolicy;
import io.streamlearn.registry.http.RegistryServer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** {@code streamlearn registry}: the registry service with its REST API, until Ctrl-C. */
final class RegistryCommand {
  private RegistryCommand() {}

  static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    if (args.contains("--help")) {
      out.println(Settings.help("streamlearn registry [options]\n\n"
          + "Serves the model registry as JSON over HTTP (see README, 'The registry').", RegistryConfig.DEF));
      return Main.OK;
    }
    RegistryConfig config = RegistryConfig.fromArgs(args, env);
    RegistryServer server = start(config);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }, "registry-shutdown"));
    String host = config.getString(RegistryConfig.HTTP_HOST);
    out.println("registry API on http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":"
        + server.port() + "/api/models");
    stop.await();
    return Main.OK;
  }

  /** Creates the registry topic if missing and starts the service. */
  static RegistryServer start(RegistryConfig config) throws IOException {
    Map<String, Object> client = KafkaSupport.clientProperties(
        config.getString(CommonKeys.BOOTSTRAP_SERVERS), config.kafkaProperties());
    String topic = config.getString(CommonKeys.MODELS_TOPIC);
    KafkaSupport.ensureTopics(client, config.getShort(CommonKeys.REPLICATION_FACTOR),
        List.of(KafkaSupport.registryTopic(topic)));
    String metric = config.getString(RegistryConfig.PROMOTION_METRIC);
    Optional<PromotionPolicy> policy = config.getBoolean(RegistryConfig.PROMOTION_AUTO)
        ? Optional.of(new PromotionPolicy(metric, config.getDouble(RegistryConfig.PROMOTION_MARGIN),
            PromotionPolicy.higherIsBetter(metric), config.getString(RegistryConfig.PROMOTION_ALIAS)))
        : Optional.empty();
    String token = config.getPassword(RegistryConfig.TOKEN).value();
    RegistryServer server = new RegistryServer(new RegistryServer.Config(client, topic,
        config.getString(RegistryConfig.HTTP_HOST), config.getInt(RegistryConfig.HTTP_PORT),
        token.isEmpty() ? Optional.empty() : Optional.of(token), policy,
        config.getInt(RegistryConfig.RETENTION_KEEP_LAST), config.getBoolean(RegistryConfig.RECORD_FOREIGN_MOVES),
        config.getInt(RegistryConfig.MAX_RECORD_BYTES)));
    return server.start();
  }
}
