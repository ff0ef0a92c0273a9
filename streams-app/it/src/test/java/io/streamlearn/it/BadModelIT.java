package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.bench.RandomVersions;
import io.streamlearn.bench.VersionPublisher;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.GaussianBlobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Bad model versions on the real registry topic while a stream is served: an undecodable record,
 * a wrong checksum, a signature mismatch and NaN weights are each refused with an alert on the
 * dead-letter topic, the served version stays, and a good version after them is served again.
 */
class BadModelIT {
  private static final String MODEL = "guarded";
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(4,softmax)";

  @Test
  void badVersionsAreRefusedWithAnAlertAndTheServedVersionStays() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LoopHarness h = new LoopHarness(kafka, MODEL);
      h.createTopics();
      String models = h.topic(CommonKeys.MODELS_TOPIC);
      RegistryCodec codec = new RegistryCodec();
      GaussianBlobs stream = new GaussianBlobs(4, FEATURES, 2, 0);
      try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()));
           VersionPublisher publisher = new VersionPublisher(kafka.bootstrapServers(), models);
           KafkaProducer<String, byte[]> raw = new KafkaProducer<>(h.clientProps(), new StringSerializer(),
               new ByteArraySerializer());
           KafkaConsumer<String, byte[]> predictions = h.predictionsConsumer()) {
        inference.start();
        publisher.publish(RandomVersions.create(MODEL, 1, FEATURES, LAYERS, 1), "live");
        LoopHarness.await(() -> served(inference) == 1, Duration.ofSeconds(60), () -> "serves version 1");

        ModelVersion good = RandomVersions.create(MODEL, 3, FEATURES, LAYERS, 3);
        Map<String, String> expectedReasons = new LinkedHashMap<>();
        // 2: an undecodable record under a version key
        raw.send(new ProducerRecord<>(models, MODEL + ":2", new byte[] {(byte) 0xC3, 1, 9, 9, 9})).get();
        raw.send(new ProducerRecord<>(models, MODEL + "@live", codec.encode(
            new AliasMove(MODEL, "live", 2, Instant.now(), "test", "corrupt record", 1)))).get();
        expectedReasons.put(MODEL + ":2", "cannot decode");
        awaitRefused(inference, 1);
        // 3: weights that do not match their checksum
        publisher.publish(new ModelVersion(MODEL, 3, 1, good.createdAt(), good.architecture(), good.signature(),
            good.preprocessing(), RandomVersions.create(MODEL, 3, FEATURES, LAYERS, 99).tensors(),
            good.checksum(), good.lineage(), good.metrics()), "live");
        expectedReasons.put(MODEL + ":3", "checksum mismatch");
        awaitRefused(inference, 2);
        // 4: a signature that does not fit the served input
        publisher.publish(RandomVersions.create(MODEL, 4, FEATURES + 2, LAYERS, 4), "live");
        expectedReasons.put(MODEL + ":4", "does not match the served");
        awaitRefused(inference, 3);
        // 5: NaN weights, with a checksum that matches them
        List<NamedTensor> poisoned = new ArrayList<>();
        for (NamedTensor t : RandomVersions.create(MODEL, 5, FEATURES, LAYERS, 5).tensors()) {
          float[] data = t.data();
          data[0] = Float.NaN;
          poisoned.add(new NamedTensor(t.name(), t.shape(), data));
        }
        publisher.publish(ModelVersion.create(MODEL, 5, 1, Instant.now(), good.architecture(), good.signature(),
            good.preprocessing(), poisoned, good.lineage(), good.metrics()), "live");
        expectedReasons.put(MODEL + ":5", "NaN");
        awaitRefused(inference, 4);

        assertEquals(1, served(inference), "version 1 is still served after four bad versions");
        List<String> ids = h.produce(stream, 0, 300, 3, 1_000);
        List<LoopHarness.Read> reads = new ArrayList<>();
        LoopHarness.pollUntil(predictions, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(60));
        assertEquals(ids.size(), reads.size(), "every event predicted");
        assertTrue(reads.stream().allMatch(r -> r.prediction().getModelVersion() == 1),
            "every prediction made by version 1");

        Map<String, String> reasons = deadLetterReasons(h, expectedReasons.size());
        assertEquals(expectedReasons.keySet(), reasons.keySet(), "one alert per refused version");
        expectedReasons.forEach((key, fragment) -> assertTrue(reasons.get(key).contains(fragment),
            key + ": reason '" + reasons.get(key) + "' should mention '" + fragment + "'"));

        publisher.publish(RandomVersions.create(MODEL, 6, FEATURES, LAYERS, 6), "live");
        LoopHarness.await(() -> served(inference) == 6, Duration.ofSeconds(60),
            () -> "a good version after the bad ones is served, serves " + served(inference));
      }
    }
  }

  private static long served(InferenceService s) {
    return s.served().current() == null ? 0 : s.served().current().version().version();
  }

  private static void awaitRefused(InferenceService s, long count) throws InterruptedException {
    LoopHarness.await(() -> s.served().refused() >= count, Duration.ofSeconds(60),
        () -> count + " versions refused, refused " + s.served().refused());
  }

  private static Map<String, String> deadLetterReasons(LoopHarness h, int expected) {
    Map<String, Object> props = h.clientProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bad-models-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, String> reasons = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> dead = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      dead.subscribe(List.of(h.topic(CommonKeys.DEAD_LETTER_TOPIC)));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (reasons.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(200))) {
          reasons.put(r.key(), DeadLetters.header(r.headers(), DeadLetters.REASON));
        }
      }
    }
    return reasons;
  }
}
