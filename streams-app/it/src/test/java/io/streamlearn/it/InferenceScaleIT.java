package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceMetrics;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.bench.RandomVersions;
import io.streamlearn.bench.VersionPublisher;
import io.streamlearn.testkit.gen.GaussianBlobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Two inference instances sharing the partitions of a steady stream while 50 versions are
 * published, then one of them stopped: every input gets exactly one prediction, each from a
 * version that was live when it was made, versions never go back on a partition, and the
 * survivor takes over without losing or duplicating a prediction.
 */
class InferenceScaleIT extends BrokerIT {
  private static final String MODEL = "scale";
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(4,softmax)";
  private static final int VERSIONS = 50;
  private static final long PUBLISH_EVERY_MS = 200;
  private static final int EVENTS_PER_SECOND = 500;
  private static final int STREAM_CHUNK = 500;
  /**
   * How long after its successor's alias move a version may still make predictions: the time for
   * the registry record to reach an instance's global thread and be checked and swapped in, and
   * for an already gathered micro-batch to finish. Generous for a shared 2-core machine.
   */
  private static final long SWAP_GRACE_MS = 2_000;

  /** A prediction as read: its value, partition, offset and Kafka timestamp (the input's). */
  record Read(Prediction prediction, int partition, long offset, long timestamp) {
    /** When the prediction was computed, µs: the input's timestamp plus the latency it reports. */
    long computedAtMicros() {
      return timestamp * 1000 + prediction.getLatencyMicros();
    }
  }

  @Test
  void twoInstancesServeFiftySwapsExactlyOnceAndOneTakesOverWhenTheOtherStops() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    h.common.put(CommonKeys.TOPIC_PARTITIONS, "4");
    Map<Long, VersionPublisher.Published> published = new TreeMap<>();
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    List<Read> reads = new ArrayList<>();
    ExecutorService producerThread = Executors.newSingleThreadExecutor();
    InferenceService a = new InferenceService(h.inferenceConfig(Map.of()));
    InferenceService b = new InferenceService(h.inferenceConfig(Map.of()));
    long stoppedAt;
    try (VersionPublisher publisher = new VersionPublisher(kafka.bootstrapServers(), h.topic(CommonKeys.MODELS_TOPIC));
         KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
      List<ModelVersion> versions = new ArrayList<>();
      for (long v = 1; v <= VERSIONS; v++) {
        versions.add(RandomVersions.create(MODEL, v, FEATURES, LAYERS, 100 + v));
      }
      published.put(1L, publisher.publish(versions.get(0), "live"));
      a.start();
      b.start();
      LoopHarness.await(() -> a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING,
          Duration.ofSeconds(60), () -> "both instances running, are " + a.state() + " and " + b.state());

      // A steady stream for the whole test: during the 50 publications and after one instance stops.
      AtomicBoolean stopStream = new AtomicBoolean();
      GaussianBlobs generator = new GaussianBlobs(4, FEATURES, 11, 0.0);
      Future<?> stream = producerThread.submit(() -> {
        for (int from = 0; !stopStream.get(); from += STREAM_CHUNK) {
          ids.addAll(h.produce(generator, from, STREAM_CHUNK, 3, EVENTS_PER_SECOND));
        }
        return null;
      });
      Thread.sleep(1_000);
      for (int v = 2; v <= VERSIONS; v++) {
        long due = System.currentTimeMillis() + PUBLISH_EVERY_MS;
        published.put((long) v, publisher.publish(versions.get(v - 1), "live"));
        pollFor(reader, reads, Math.max(0, due - System.currentTimeMillis()));
      }
      LoopHarness.await(() -> a.served().current().version().version() == VERSIONS
              && b.served().current().version().version() == VERSIONS, Duration.ofSeconds(30),
          () -> "both instances serve v" + VERSIONS + ", serve " + a.served().current().version().key()
              + " and " + b.served().current().version().key());
      long predictedByA = a.metrics().getPredictionsTotal();
      long predictedByB = b.metrics().getPredictionsTotal();
      assertTrue(predictedByA > 0 && predictedByB > 0,
          "both instances predict (share the partitions): " + predictedByA + " and " + predictedByB);

      // Stop one instance mid-stream: the other takes its partitions over.
      a.close();
      stoppedAt = System.currentTimeMillis();
      long beforeStop = b.metrics().getPredictionsTotal();
      LoopHarness.await(() -> b.metrics().getPredictionsTotal() > beforeStop + 4 * STREAM_CHUNK,
          Duration.ofSeconds(60), () -> "the remaining instance predicts " + 4 * STREAM_CHUNK
              + " more after the other stopped, predicted " + (b.metrics().getPredictionsTotal() - beforeStop));
      stopStream.set(true);
      stream.get(60, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (reads.size() < ids.size() && System.nanoTime() < deadline) {
        pollFor(reader, reads, 200);
      }
      pollFor(reader, reads, 1_000); // anything beyond one per input would show up now
      assertEquals(0, a.served().refused() + b.served().refused(), "no version refused");
    } finally {
      producerThread.shutdownNow();
      a.close();
      b.close();
    }

    assertExactlyOnePredictionPerInput(ids, reads);
    assertVersionsNeverGoBackOnAPartition(reads);
    assertEachPredictionFromAVersionLiveWhenItWasMade(reads, published);
    Set<Long> versionsSeen = new HashSet<>();
    reads.forEach(r -> versionsSeen.add(r.prediction().getModelVersion()));
    assertTrue(versionsSeen.size() >= VERSIONS / 2,
        "predictions name at least " + VERSIONS / 2 + " distinct versions, found " + versionsSeen.size());
    Set<Integer> partitionsAfterStop = new HashSet<>();
    for (Read r : reads) {
      if (r.timestamp() > stoppedAt) { // input produced after the stopped instance's close() returned
        partitionsAfterStop.add(r.partition());
      }
    }
    assertEquals(Set.of(0, 1, 2, 3), partitionsAfterStop,
        "after one instance stopped, the other predicts on every partition");
  }

  @Test
  void aRefusedVersionGoesToTheDeadLetterTopicAndIsCountedInTheMeters() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    kafka.createTopic(h.topic(CommonKeys.MODELS_TOPIC), 1, Map.of("cleanup.policy", "compact"));
    try (InferenceService s = new InferenceService(h.inferenceConfig(Map.of()));
         VersionPublisher publisher = new VersionPublisher(kafka.bootstrapServers(), h.topic(CommonKeys.MODELS_TOPIC))) {
      publisher.publish(RandomVersions.create(MODEL, 1, FEATURES, LAYERS, 1), "live");
      ModelVersion wide = RandomVersions.create(MODEL, 2, FEATURES + 1, LAYERS, 2);
      publisher.publish(wide, "live");
      s.start();
      LoopHarness.await(() -> s.served().refused() == 1, Duration.ofSeconds(60),
          () -> "version 2 refused, refused " + s.served().refused());
      var meters = s.ops().meters();
      assertEquals(1.0, meters.get(InferenceMetrics.SERVED_VERSION).tags("alias", "live").gauge().value(),
          "served version in the meters");
      assertEquals(1.0, meters.get(InferenceMetrics.REFUSED).tags("alias", "live", "reason", "signature")
          .functionCounter().count(), "the refusal counted under its reason");

      try (KafkaConsumer<String, byte[]> dead = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "dead-" + h.suffix,
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
        dead.subscribe(List.of(h.topic(CommonKeys.DEAD_LETTER_TOPIC)));
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (records.isEmpty() && System.nanoTime() < deadline) {
          dead.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        assertEquals(List.of(MODEL + ":2"), records.stream().map(ConsumerRecord::key).toList(),
            "one dead letter for the refused version");
        String reason = DeadLetters.header(records.get(0).headers(), DeadLetters.REASON);
        assertTrue(reason.contains("signature 9 features"), "reason names the mismatch: " + reason);
        assertEquals(h.topic(CommonKeys.MODELS_TOPIC), DeadLetters.header(records.get(0).headers(), DeadLetters.TOPIC));
      }
    }
  }

  /**
   * The micro-batch queue is exactly-once: events processed and committed but not yet scored when
   * an instance stops are scored, once, by the instance that takes the partitions over.
   */
  @Test
  void eventsQueuedForAMicroBatchWhenAnInstanceStopsAreScoredOnceByTheNextOwner() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    List<String> ids;
    List<Read> reads = new ArrayList<>();
    kafka.createTopic(h.topic(CommonKeys.MODELS_TOPIC), 1, Map.of("cleanup.policy", "compact"));
    try (VersionPublisher publisher = new VersionPublisher(kafka.bootstrapServers(), h.topic(CommonKeys.MODELS_TOPIC));
         KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
      publisher.publish(RandomVersions.create(MODEL, 1, FEATURES, LAYERS, 1), "live");
      try (InferenceService holding = new InferenceService(h.inferenceConfig(Map.of(
          InferenceConfig.BATCH_MAX_SIZE, "4096", InferenceConfig.BATCH_LINGER_MS, "60000")))) {
        holding.start();
        // RUNNING: the topics it created have leaders, so the first produce request is not refused.
        LoopHarness.await(() -> holding.served().current() != null && holding.state() == KafkaStreams.State.RUNNING,
            Duration.ofSeconds(60), () -> "first instance running and serving version 1, is " + holding.state());
        ids = h.produce(new GaussianBlobs(4, FEATURES, 5, 0.0), 0, 200, 2, 2_000);
        String group = "it-inference-" + h.suffix; // the application id LoopHarness gives both instances
        try (Admin admin = kafka.admin()) {
          LoopHarness.await(() -> committed(admin, group) >= ids.size(), Duration.ofSeconds(60),
              () -> "offsets of all " + ids.size() + " inputs committed, are " + committed(admin, group));
        }
        pollFor(reader, reads, 500);
        assertEquals(0, reads.size(), "nothing scored yet: all inputs wait in the micro-batch queue");
        assertEquals(0, holding.metrics().getPredictionsTotal());
      }
      try (InferenceService next = new InferenceService(h.inferenceConfig(Map.of()))) {
        next.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (reads.size() < ids.size() && System.nanoTime() < deadline) {
          pollFor(reader, reads, 200);
        }
        pollFor(reader, reads, 1_000);
      }
    }
    assertExactlyOnePredictionPerInput(ids, reads);
  }

  /** Committed offsets of the group over all partitions of all topics. */
  private static long committed(Admin admin, String group) {
    try {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
          .filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
    } catch (ExecutionException e) {
      throw new AssertionError("cannot read the offsets of " + group + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void pollFor(KafkaConsumer<String, byte[]> consumer, List<Read> out, long millis) {
    AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
    long deadline = System.currentTimeMillis() + millis;
    do {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(Math.max(1, Math.min(100,
          deadline - System.currentTimeMillis()))))) {
        out.add(new Read(serde.deserialize(r.topic(), r.value()), r.partition(), r.offset(), r.timestamp()));
      }
    } while (System.currentTimeMillis() < deadline);
  }

  private static void assertExactlyOnePredictionPerInput(List<String> ids, List<Read> reads) {
    Map<String, Integer> counts = new HashMap<>();
    for (Read r : reads) {
      counts.merge(r.prediction().getId(), 1, Integer::sum);
    }
    List<String> missing = ids.stream().filter(id -> !counts.containsKey(id)).limit(10).toList();
    List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1)
        .map(Map.Entry::getKey).limit(10).toList();
    assertTrue(missing.isEmpty(), "inputs without prediction (first 10 of "
        + ids.stream().filter(id -> !counts.containsKey(id)).count() + "): " + missing);
    assertTrue(duplicated.isEmpty(), "inputs with more than one prediction (first 10): " + duplicated);
    assertEquals(ids.size(), reads.size(), "one prediction per input");
  }

  private static void assertVersionsNeverGoBackOnAPartition(List<Read> reads) {
    Map<Integer, TreeMap<Long, Long>> byPartition = new HashMap<>();
    for (Read r : reads) {
      byPartition.computeIfAbsent(r.partition(), p -> new TreeMap<>()).put(r.offset(), r.prediction().getModelVersion());
    }
    byPartition.forEach((partition, versions) -> {
      long previous = 0;
      for (Map.Entry<Long, Long> e : versions.entrySet()) {
        assertTrue(e.getValue() >= previous, "partition " + partition + " offset " + e.getKey()
            + ": version " + e.getValue() + " after version " + previous);
        previous = e.getValue();
      }
    });
  }

  /**
   * "Live at that time", precisely: a prediction computed at time t (input timestamp plus its
   * reported latency, one clock in this JVM) by version v is correct when v's alias move had been
   * sent before t (no instance can know a version before it is published), and when v's successor
   * had not been acknowledged by the broker more than {@link #SWAP_GRACE_MS} before t.
   */
  private static void assertEachPredictionFromAVersionLiveWhenItWasMade(
      List<Read> reads, Map<Long, VersionPublisher.Published> published) {
    for (Read r : reads) {
      long v = r.prediction().getModelVersion();
      VersionPublisher.Published p = published.get(v);
      assertTrue(p != null, "prediction " + r.prediction().getId() + " names version " + v + ", never published");
      long t = r.computedAtMicros();
      assertTrue(t >= p.sentAtMillis() * 1000, "prediction " + r.prediction().getId() + " made at " + t
          + " µs by version " + v + " published at " + p.sentAtMillis() + " ms");
      VersionPublisher.Published next = published.get(v + 1);
      if (next != null) {
        assertTrue(t <= (next.ackedAtMillis() + SWAP_GRACE_MS) * 1000, "prediction " + r.prediction().getId()
            + " made at " + t / 1000 + " ms by version " + v + ", superseded by " + (v + 1) + " at "
            + next.ackedAtMillis() + " ms, more than " + SWAP_GRACE_MS + " ms before");
      }
    }
  }
}
