package io.streamlearn.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
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
 * alias on the registry topic once the page has been given the server's token; with the evaluation
 * running beside them (a 20% canary and a shadow challenger, both on v1) and a label-free DRIFT
 * event on the metrics topic, the served-vs-trainer, challenger, canary and feature-drift panels
 * render the figures of the state the page polled. Skipped where
 * Chromium is not installed. Leaves a screenshot in
 * {@code target/dashboard-screenshot.png}.
 */
class DashboardBrowserIT {
  private static final int FEATURES = 784;
  private static final String MODEL = "browser";
  private static final String TOKEN = "s3cret";
  private static final String CANARY = "canary";
  private static final String CHALLENGER = "challenger";
  private static final ObjectMapper JSON = new ObjectMapper();

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
      common.put(CommonKeys.TOPIC_PARTITIONS, "2"); // predictions and labels are joined by key: same count
      for (String key : List.of(CommonKeys.LABELED_TOPIC, CommonKeys.FEATURES_TOPIC,
          CommonKeys.PREDICTIONS_TOPIC, CommonKeys.MODELS_TOPIC, CommonKeys.METRICS_TOPIC,
          CommonKeys.DEAD_LETTER_TOPIC, CommonKeys.LABELS_TOPIC, CommonKeys.SHADOW_TOPIC)) {
        common.put(key, key.replace(".topic", "") + "-" + suffix);
      }
      // the evaluation's outputs, which the evaluation and the dashboard name with the same keys
      Map<String, String> evaluated = new HashMap<>(common);
      evaluated.put(CommonKeys.SERVED_METRICS_TOPIC, "served-metrics-" + suffix);
      evaluated.put(CommonKeys.CHALLENGER_VERDICTS_TOPIC, "challenger-verdicts-" + suffix);
      evaluated.put(CommonKeys.SHADOW_ALIAS, CHALLENGER);
      DashboardConfig dashboardConfig = new DashboardConfig(evaluated);
      Map<String, Object> client = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
      KafkaSupport.ensureTopics(client, (short) -1, dashboardConfig.topics().specs(2));
      Map<String, String> trainer = new HashMap<>(common);
      trainer.put(TrainerConfig.FEATURES, String.valueOf(FEATURES));
      trainer.put(TrainerConfig.LAYERS, "dense(32,relu) > dense(10,softmax)");
      trainer.put(TrainerConfig.PUBLISH_EVERY_BATCHES, "15");
      trainer.put(TrainerConfig.PUBLISH_EVERY_MS, "1000");
      Map<String, String> serve = new HashMap<>(common);
      serve.put(InferenceConfig.APPLICATION_ID, "browser-it-" + suffix);
      serve.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("browser-it-streams-").toString());
      serve.put(InferenceConfig.CANARY_ALIAS, CANARY);
      serve.put(InferenceConfig.CANARY_SHARE, "0.2");
      serve.put(InferenceConfig.SHADOW_ALIAS, CHALLENGER);
      Map<String, String> evaluate = new HashMap<>(evaluated);
      evaluate.put(EvaluationConfig.APPLICATION_ID, "browser-it-evaluation-" + suffix);
      evaluate.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("browser-it-evaluation-").toString());
      evaluate.put(EvaluationConfig.PUBLISH_INTERVAL_MS, "500");
      Trainer t = new Trainer(new TrainerConfig(trainer));
      Thread trainerThread = new Thread(t, "browser-it-trainer");
      try (LiveDashboard live = LiveDashboard.start(client, dashboardConfig.topics(), MODEL, false,
               Duration.ofSeconds(60));
           Dashboard.Server web = live.serve("127.0.0.1", 0, Optional.of(TOKEN));
           InferenceService inference = new InferenceService(new InferenceConfig(serve));
           EvaluationService evaluation = new EvaluationService(new EvaluationConfig(evaluate).settings())) {
        DashboardState state = live.state();
        trainerThread.start();
        inference.start();
        evaluation.start();
        StreamGenerator source = source(state);
        produce(kafka.bootstrapServers(), common, state, source, 0, 1_000);
        Await.until(() -> state.versionCount() >= 1, Duration.ofSeconds(120),
            () -> "a first version, found " + state.versionCount());
        // the canary scores a fifth of the keys and the challenger shadows every event, both on v1,
        // while live follows the trainer's newer versions
        try (AliasMover mover = new AliasMover(state, client, common.get(CommonKeys.MODELS_TOPIC))) {
          mover.move(CANARY, 1, "browser-it", "the canary's version");
          mover.move(CHALLENGER, 1, "browser-it", "the challenger's version");
        }
        produce(kafka.bootstrapServers(), common, state, source, 1_000, 5_000);
        Await.until(() -> state.versionCount() >= 3 && state.predictionCount() >= 5_000, Duration.ofSeconds(120),
            () -> "3 versions and 5000 predictions, found " + state.versionCount() + " and "
                + state.predictionCount());
        long liveVersion = state.aliasVersion("live");
        publishFeatureDrift(kafka.bootstrapServers(), common.get(CommonKeys.METRICS_TOPIC), liveVersion);
        AtomicReference<JsonNode> evaluationSeen = new AtomicReference<>();
        Await.until(() -> {
          JsonNode s = JSON.valueToTree(state.snapshot());
          evaluationSeen.set(s);
          return s.get("served").size() > 0 && s.get("challenger").size() > 0
              && s.get("canary").get("aliases").size() == 2 && s.get("drift").size() > 0;
        }, Duration.ofSeconds(90), () -> "served figures, a challenger verdict, two aliases in the canary split"
            + " and a feature drift in the dashboard's state, found served " + evaluationSeen.get().get("served")
            + ", challenger " + evaluationSeen.get().get("challenger").size() + " pairs, canary "
            + evaluationSeen.get().get("canary") + ", drift " + evaluationSeen.get().get("drift"));

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
          assertEvaluationPanels(browser);
          Files.write(target.resolve("dashboard-screenshot.png"), browser.screenshot());
        }
        assertEquals(1, state.aliasVersion("champion"), "the dashboard's own state follows the move");
      } finally {
        t.stop();
        t.awaitStopped(Duration.ofSeconds(30));
      }
    }
  }

  /**
   * The four evaluation panels as the page renders them, against the state the page polls: the
   * served figures of a version beside the trainer's, the challenger's verdict and its LLR line,
   * the canary split (about a fifth on the canary) and the drifted features.
   */
  private static void assertEvaluationPanels(HeadlessChromium browser) throws InterruptedException {
    String panels = "(() => { const rows = id => Array.from(document.querySelectorAll('#' + id + ' tbody tr'))"
        + ".filter(r => !r.querySelector('.muted')).map(r => Array.from(r.cells).map(c => c.textContent));"
        + " return {served: rows('served'), challenger: rows('challenger'), canary: rows('canary'),"
        + " drift: rows('drift'), llr: Number(document.getElementById('chart-llr').dataset.points),"
        + " state: lastState}; })()";
    AtomicReference<JsonNode> seen = new AtomicReference<>();
    Await.until(() -> {
      JsonNode p = evaluate(browser, panels);
      seen.set(p);
      return p.get("served").size() > 0 && p.get("challenger").size() > 0 && p.get("canary").size() == 2
          && p.get("drift").size() > 0 && p.get("llr").asInt() > 0;
    }, Duration.ofSeconds(30), () -> "the evaluation panels rendered with data, found " + seen.get());
    JsonNode page = seen.get();
    JsonNode s = page.get("state"); // the snapshot the page rendered last

    JsonNode servedRow = page.get("served").get(0);
    JsonNode served = s.get("served").get(0);
    assertEquals("v" + served.get("version").asLong(), servedRow.get(0).asText(), "newest served version: " + page);
    assertEquals(String.format(java.util.Locale.ROOT, "%.3f", served.get("accuracy").asDouble()),
        servedRow.get(2).asText(), "served accuracy as the state has it: " + served);
    assertEquals(shortNumber(served.get("evaluated").asLong()), servedRow.get(3).asText(),
        "evaluated as the state has it: " + served);
    assertTrue(served.get("evaluated").asLong() > 0, "leak-free evaluations counted: " + served);
    assertEquals(String.format(java.util.Locale.ROOT, "%.3f", served.get("trainerPrequentialAccuracy").asDouble()),
        servedRow.get(6).asText(), "the trainer's prequential accuracy of that version beside it: " + served);

    assertTrue(page.get("challenger").get(0).get(0).asText().contains("@" + CHALLENGER + " v1"),
        "the challenger on v1: " + page.get("challenger"));
    assertTrue(page.get("challenger").get(0).get(6).asText().matches("(UNDECIDED|CHALLENGER_BETTER|NOT_BETTER).*"),
        "a verdict: " + page.get("challenger"));

    JsonNode canary = page.get("canary");
    assertEquals("@" + CANARY, canary.get(0).get(0).asText(), "the canary's row: " + canary);
    assertEquals("v1", canary.get(0).get(1).asText(), "the canary predicts with v1: " + canary);
    double share = Double.parseDouble(canary.get(0).get(3).asText().replace("%", "")) / 100;
    // the last 1,000 predictions, all made after the canary named v1: 0.2 +- 4 sd of binomial(1000, 0.2)
    assertTrue(Math.abs(share - 0.2) < 4 * Math.sqrt(0.2 * 0.8 / 1000), "canary share near 0.2: " + canary);
    assertEquals("@live", canary.get(1).get(0).asText(), "live's row: " + canary);

    JsonNode drift = page.get("drift").get(0);
    assertTrue(drift.get(2).asText().startsWith("pixel_406 0.410, pixel_100 0.120"),
        "the drifted features, largest PSI first: " + drift);
  }

  /** A count as the page writes it (its {@code short}). */
  private static String shortNumber(long n) {
    if (n >= 10_000) {
      return Math.round(n / 1e3) + "k";
    }
    return n >= 1_000 ? String.format(java.util.Locale.ROOT, "%.1fk", n / 1e3) : String.valueOf(n);
  }

  /**
   * A label-free DRIFT event as the evaluation writes it on the metrics topic: the features and
   * their PSI in the metrics map ({@code psi.<feature>}).
   */
  private static void publishFeatureDrift(String bootstrap, String topic, long version) throws Exception {
    AvroSerde<TrainingEvent> serde = AvroSerde.of(TrainingEvent.class);
    TrainingEvent drift = TrainingEvent.newBuilder().setModel(MODEL).setType(TrainingEventType.DRIFT)
        .setTimestamp(Instant.now()).setModelVersion(version).setExamplesSeen(0).setLearningRate(0)
        .setMetrics(Map.of("psi.pixel_406", 0.41, "psi.pixel_100", 0.12))
        .setMessage("feature drift (PSI) on served inputs: pixel_406").build();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, MODEL, serde.serialize(null, drift))).get();
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
  private static StreamGenerator source(DashboardState state) {
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
    return blobs;
  }

  /** Events {@code from} to {@code from + count - 1} of {@code blobs}. */
  private static void produce(String bootstrap, Map<String, String> topics, DashboardState state,
                              StreamGenerator blobs, int from, int count) throws Exception {
    AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
    AvroSerde<FeatureEvent> features = AvroSerde.of(FeatureEvent.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = from; i < from + count; i++) {
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
