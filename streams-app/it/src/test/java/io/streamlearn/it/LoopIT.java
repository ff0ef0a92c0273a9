package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * The whole loop on a real broker: trainer and inference running, a labeled and unlabeled stream
 * flowing, versions published and swapped in, and a trainer restart in the middle.
 */
class LoopIT extends BrokerIT {
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(4,softmax)";

  @Test
  void everyEventGetsExactlyOnePredictionFromVersionsThatOnlyMoveForward() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "loop");
    GaussianBlobs stream = new GaussianBlobs(4, FEATURES, 7, 0.0);
    TrainerConfig trainerConfig = h.trainerConfig(FEATURES, LAYERS, Map.of(
        TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.PUBLISH_EVERY_MS, "1000"));
    List<String> ids = new ArrayList<>();
    List<LoopHarness.Read> reads = new ArrayList<>();
    long firstRunLastVersion;
    try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()));
         KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
      Trainer first = new Trainer(trainerConfig);
      Thread firstThread = new Thread(first, "trainer-1");
      firstThread.start();
      inference.start();
      ids.addAll(h.produce(stream, 0, 12_000, 5, 4_000));
      LoopHarness.pollUntil(reader, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(120));
      first.stop();
      assertTrue(first.awaitStopped(Duration.ofSeconds(60)), "first trainer stops");
      firstRunLastVersion = first.status().lastVersion();
      assertTrue(first.status().publishedVersions() >= 3,
          "at least 3 versions in the first run, found " + first.status());

      // A restarted trainer continues the version sequence and the stream.
      Trainer second = new Trainer(trainerConfig);
      Thread secondThread = new Thread(second, "trainer-2");
      secondThread.start();
      ids.addAll(h.produce(stream, 12_000, 4_000, 5, 4_000));
      LoopHarness.await(() -> inference.served().current() != null
              && inference.served().current().version().version() > firstRunLastVersion,
          Duration.ofSeconds(60), () -> "inference serves a version of the second trainer run, serves "
              + inference.served().current().version().key());
      List<String> produced = h.produce(stream, 16_000, 1_000, 5, 4_000);
      ids.addAll(produced);
      java.util.Set<String> afterSwap = new java.util.HashSet<>(produced);
      LoopHarness.pollUntil(reader, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(120));
      for (LoopHarness.Read r : reads) {
        if (afterSwap.contains(r.prediction().getId())) {
          assertTrue(r.prediction().getModelVersion() > firstRunLastVersion, r.prediction().getId()
              + " was produced after the restarted trainer's version was served, but names version "
              + r.prediction().getModelVersion() + " <= " + firstRunLastVersion);
        }
      }
      second.stop();
      assertTrue(second.awaitStopped(Duration.ofSeconds(60)), "second trainer stops");
      assertEquals(0, inference.served().refused(), "no version refused");
    }

    assertExactlyOnePredictionPerEvent(ids, reads);
    assertVersionsNeverGoBackOnAPartition(reads);
    long distinctVersions = reads.stream().map(r -> r.prediction().getModelVersion()).distinct().count();
    assertTrue(distinctVersions >= 3, "predictions name at least 3 versions, found " + distinctVersions);

    RegistryState registry = RegistryReader.read(
        KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of()),
        h.topic(CommonKeys.MODELS_TOPIC), Duration.ofSeconds(30));
    for (LoopHarness.Read r : reads) {
      assertTrue(registry.version("loop", r.prediction().getModelVersion()).isPresent(),
          "version " + r.prediction().getModelVersion() + " named by a prediction is in the registry");
    }
    List<String> labeledIds = ids.stream().filter(id -> Integer.parseInt(id.substring(3)) % 5 != 0).toList();
    long trainedOn = labeledIds.stream().filter(id -> !HoldOut.isHeldOut(id, 0.1)).count();
    assertLineageCoversEveryLabeledEventOnce(registry, labeledIds.size(), trainedOn);
    // a version's metrics carry its hold-out confusion matrix, whose cells count the hold-out examples
    Map<String, Double> metrics = registry.latest("loop").orElseThrow().metrics();
    double cells = metrics.entrySet().stream().filter(e -> e.getKey().startsWith("holdoutConfusion."))
        .mapToDouble(Map.Entry::getValue).sum();
    assertEquals(metrics.get("holdoutExamples"), cells, "confusion cells of the last version: " + metrics);
    assertTrue(metrics.containsKey("holdoutRecall.0"), "per-class recall of the last version: " + metrics);

    List<LoopHarness.Read> labeled = reads.stream().filter(r -> r.prediction().getLabel() != null).toList();
    List<LoopHarness.Read> last = labeled.subList(labeled.size() - 2_000, labeled.size());
    double accuracy = last.stream().filter(r -> r.prediction().getLabel()
        .equals(r.prediction().getPredictedClass())).count() / (double) last.size();
    assertTrue(accuracy >= 0.9, "accuracy of the last 2000 labeled predictions " + accuracy);
  }

  private static void assertExactlyOnePredictionPerEvent(List<String> ids, List<LoopHarness.Read> reads) {
    Map<String, Integer> counts = new HashMap<>();
    for (LoopHarness.Read r : reads) {
      counts.merge(r.prediction().getId(), 1, Integer::sum);
    }
    List<String> missing = ids.stream().filter(id -> !counts.containsKey(id)).limit(10).toList();
    List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1)
        .map(Map.Entry::getKey).limit(10).toList();
    assertTrue(missing.isEmpty(), "events without prediction (first 10): " + missing);
    assertTrue(duplicated.isEmpty(), "events with more than one prediction (first 10): " + duplicated);
    assertEquals(ids.size(), reads.size(), "one prediction per event");
  }

  private static void assertVersionsNeverGoBackOnAPartition(List<LoopHarness.Read> reads) {
    Map<Integer, TreeMap<Long, Long>> byPartition = new HashMap<>();
    for (LoopHarness.Read r : reads) {
      byPartition.computeIfAbsent(r.partition(), p -> new TreeMap<>())
          .put(r.offset(), r.prediction().getModelVersion());
    }
    byPartition.forEach((partition, versions) -> {
      long previous = 0;
      for (Map.Entry<Long, Long> e : versions.entrySet()) {
        assertFalse(e.getValue() < previous, "partition " + partition + " offset " + e.getKey()
            + ": version " + e.getValue() + " after version " + previous);
        previous = e.getValue();
      }
    });
  }

  private static void assertLineageCoversEveryLabeledEventOnce(RegistryState registry, long labeledEvents,
                                                               long trainedOn) {
    LineageAudit audit = LineageAudit.of(registry, "loop");
    audit.assertParentChain();
    assertEquals(trainedOn, audit.trained(), "examples over the lineage of all versions (labeled minus hold-out)");
    ModelVersion last = registry.latest("loop").orElseThrow();
    assertEquals(trainedOn, last.lineage().examplesSeen(), "examplesSeen of the last version");
    assertEquals(labeledEvents, audit.covered(), "offsets covered by the lineage ranges");
  }
}
