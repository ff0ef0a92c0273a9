package io.streamlearn.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.Await;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.testkit.gen.StreamGenerator;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser against a real loop: trainer and inference on an embedded
 * broker learning 28x28 (784-feature) inputs (Fashion-MNIST test images where installed), the page polling, and its promote button moving an
 * alias on the registry topic once the page has been given the server's token. Skipped where
 * Chromium is not installed. Leaves a screenshot in
 * {@code target/dashboard-screenshot.png}.
 */
class DashboardBrowserIT {
  private static final int FEATURES = 784;
  private static final String MODEL = "browser";
  private static final String TOKEN = "s3cret";

  @Test
  void chartsFillAndThePromoteButtonMovesTheAlias() throws Exception {
    Optional<Path> chromium = HeadlessChromium.find();
    Assumptions.assumeTrue(chromium.isPresent(),
        "Chromium is not installed (apt-get install chromium); skipping the headless-browser test");
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Map<String, String> common = new HashMap<>();
      common.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      common.put(CommonKeys.MODEL_NAME, MODEL);
      for (String key : List.of(CommonKeys.LABELED_TOPIC, CommonKeys.FEATURES_TOPIC,
          CommonKeys.PREDICTIONS_TOPIC, CommonKeys.MODELS_TOPIC, CommonKeys.METRICS_TOPIC,
          CommonKeys.DEAD_LETTER_TOPIC)) {
        common.put(key, key.replace(".topic", "") + "-" + suffix);
      }
      DashboardConfig dashboardConfig = new DashboardConfig(common);
      Map<String, Object> client = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
      KafkaSupport.ensureTopics(client, (short) -1, List.of(
          KafkaSupport.eventTopic(common.get(CommonKeys.LABELED_TOPIC), 2),
          KafkaSupport.eventTopic(common.get(CommonKeys.FEATURES_TOPIC), 2),
          KafkaSupport.eventTopic(common.get(CommonKeys.PREDICTIONS_TOPIC), 2),
          KafkaSupport.eventTopic(common.get(CommonKeys.METRICS_TOPIC), 1),
          KafkaSupport.registryTopic(common.get(CommonKeys.MODELS_TOPIC))));
      Map<String, String> trainer = new HashMap<>(common);
      trainer.put(TrainerConfig.FEATURES, String.valueOf(FEATURES));
      trainer.put(TrainerConfig.LAYERS, "dense(32,relu) > dense(10,softmax)");
      trainer.put(TrainerConfig.PUBLISH_EVERY_BATCHES, "15");
      trainer.put(TrainerConfig.PUBLISH_EVERY_MS, "1000");
      Map<String, String> serve = new HashMap<>(common);
      serve.put(InferenceConfig.APPLICATION_ID, "browser-it-" + suffix);
      serve.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("browser-it-streams-").toString());
      Trainer t = new Trainer(new TrainerConfig(trainer));
      Thread trainerThread = new Thread(t, "browser-it-trainer");
      try (LiveDashboard live = LiveDashboard.start(client, dashboardConfig.topics(), MODEL, false,
               Duration.ofSeconds(60));
           Dashboard.Server web = live.serve("127.0.0.1", 0, Optional.of(TOKEN));
           InferenceService inference = new InferenceService(new InferenceConfig(serve))) {
        DashboardState state = live.state();
        trainerThread.start();
        inference.start();
        produce(kafka.bootstrapServers(), common, state, 6_000);
        Await.until(() -> state.versionCount() >= 3 && state.predictionCount() >= 5_000, Duration.ofSeconds(120),
            () -> "3 versions and 5000 predictions, found " + state.versionCount() + " and "
                + state.predictionCount());

        Path target = Path.of("target");
        Files.createDirectories(target);
        Path profile = Files.createTempDirectory("chromium-profile-");
        try (HeadlessChromium browser = HeadlessChromium.launch(chromium.get(), web.url(), profile,
            target.resolve("chromium.log"))) {
          String chartsReady = "(() => { const n = id => { const e = document.getElementById(id); return e ? Number(e.dataset.points) : 0; };"
              + " return {accuracy: n('chart-accuracy'), loss: n('chart-loss'),"
              + " throughput: n('chart-throughput'), timeline: n('timeline'),"
              + " versions: document.querySelectorAll('#promote-version option').length,"
              + " images: document.querySelectorAll('#latest canvas').length,"
              + " rows: document.querySelectorAll('#versions tbody tr').length}; })()";
          AtomicReference<JsonNode> seen = new AtomicReference<>();
          Await.until(() -> {
            JsonNode c = evaluate(browser, chartsReady);
            seen.set(c);
            return c.path("accuracy").asInt() > 0 && c.path("loss").asInt() > 0
                && c.path("throughput").asInt() > 0 && c.path("timeline").asInt() >= 3
                && c.path("versions").asInt() >= 3 && c.path("images").asInt() > 0;
          }, Duration.ofSeconds(60), () -> "charts with data, versions and images on the page, found " + seen.get());

          // Promote the oldest version to a new alias with the page's own form and button: the
          // server has a token, so the first click is refused and the page asks for it.
          long chosen = browser.evaluate("(() => { document.getElementById('promote-alias').value = 'champion';"
              + " const s = document.getElementById('promote-version');"
              + " s.value = s.options[s.options.length - 1].value;"
              + " document.getElementById('promote-button').click(); return Number(s.value); })()").asLong();
          assertEquals(1, chosen, "the oldest version offered is v1");
          Await.until(() -> evaluate(browser, "document.getElementById('promote-status').dataset.result === 'error'"
                  + " && !document.getElementById('promote-token-label').hidden").asBoolean(),
              Duration.ofSeconds(30), () -> "the page asks for the token: "
                  + evaluate(browser, "document.getElementById('promote-status').textContent"));
          assertEquals(0, state.aliasVersion("champion"), "a promote without the token moves nothing");
          browser.evaluate("(() => { document.getElementById('promote-token').value = '" + TOKEN + "';"
              + " document.getElementById('promote-button').click(); return true; })()");
          AliasMove move = awaitAlias(kafka.bootstrapServers(), common.get(CommonKeys.MODELS_TOPIC), "champion");
          assertEquals(chosen, move.version(), "champion points at the promoted version; found " + move);
          assertEquals("dashboard", move.movedBy(), "the move names the dashboard; found " + move);
          Await.until(() -> evaluate(browser, "document.getElementById('promote-status').dataset.result === 'ok'"
                  + " && document.getElementById('alias-moves').textContent.includes('@champion')").asBoolean(),
              Duration.ofSeconds(30), () -> "the page reports the move: "
                  + evaluate(browser, "document.getElementById('promote-status').textContent"));
          Files.write(target.resolve("dashboard-screenshot.png"), browser.screenshot());
        }
        assertEquals(1, state.aliasVersion("champion"), "the dashboard's own state follows the move");
      } finally {
        t.stop();
        t.awaitStopped(Duration.ofSeconds(30));
      }
    }
  }

  private static JsonNode evaluate(HeadlessChromium browser, String js) {
    try {
      return browser.evaluate(js);
    } catch (Exception e) {
      throw new AssertionError("evaluating " + js + " failed: " + e, e);
    }
  }

  /**
   * Fashion-MNIST training images where the Debian package is installed, else blobs in 784
   * dimensions; either way the page shows 28x28 images. Every 5th is held out.
   */
  private static void produce(String bootstrap, Map<String, String> topics, DashboardState state, int count)
      throws Exception {
    StreamGenerator blobs = new GaussianBlobs(10, FEATURES, 11, 0.0);
    Path data = Path.of(FashionMnist.DEFAULT_DIR);
    if (FashionMnist.availableAt(data)) {
      Dataset d = FashionMnist.load(data, false);
      state.setClassNames(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
          "Sneaker", "Bag", "Ankle boot"));
      blobs = new StreamGenerator() {
        private int row;

        @Override
        public int featureCount() {
          return d.cols();
        }

        @Override
        public int classCount() {
          return 10;
        }

        @Override
        public Example next() {
          int r = row++ % d.rows();
          return new Example(java.util.Arrays.copyOfRange(d.features(), r * d.cols(), (r + 1) * d.cols()),
              d.labels()[r]);
        }
      };
    }
    AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
    AvroSerde<FeatureEvent> features = AvroSerde.of(FeatureEvent.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        Example e = blobs.next();
        List<Float> x = FloatLists.boxed(e.features());
        String id = "b-" + i;
        if (i % 5 == 0) {
          state.expectLabel(id, e.label());
          producer.send(new ProducerRecord<>(topics.get(CommonKeys.FEATURES_TOPIC), id,
              features.serialize(null, new FeatureEvent(id, Instant.now(), x))));
        } else {
          producer.send(new ProducerRecord<>(topics.get(CommonKeys.LABELED_TOPIC), id,
              labeled.serialize(null, new LabeledEvent(id, Instant.now(), x, e.label()))));
        }
        if (i % 500 == 499) {
          Thread.sleep(250); // spread over a few seconds, so there are several versions and seconds
        }
      }
      producer.flush();
    }
  }

  private static AliasMove awaitAlias(String bootstrap, String topic, String alias) throws Exception {
    RegistryCodec codec = new RegistryCodec();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(MODEL + "@" + alias)
              && codec.decode(r.key(), r.value()) instanceof RegistryCodec.AliasEntry a) {
            return a.move();
          }
        }
      }
    }
    throw new AssertionError("no " + MODEL + "@" + alias + " record on " + topic + " within 30 s");
  }
}
