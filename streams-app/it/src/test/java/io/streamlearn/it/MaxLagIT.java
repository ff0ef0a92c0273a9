package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.streamlearn.app.OpsServer;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.LagSampling;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train --max-lag} on the embedded broker: a trainer slower than its input (a wide network
 * on small batches) reads a stream produced at a steady rate. With {@code max.lag} its consumer lag
 * stays bounded while the stream flows, and the published versions' lineage ranges, with their
 * rates and skipped counts, account for every offset exactly once: each range's skipped count is
 * recounted from the ids read back from the topic. The same set-up without {@code max.lag} lets the
 * lag grow past that bound, which shows the test can fail.
 */
class MaxLagIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(MaxLagIT.class);
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(1024,relu) > dense(1024,relu) > dense(4,softmax)";
  private static final int PER_SECOND = 8_000;
  private static final int EVENTS = 80_000; // 10 s of input
  private static final long MAX_LAG = 2_000;
  /**
   * The bound the lag must stay under with max.lag, and pass without it: the rule settles the
   * backlog at about max.lag x (input rate / training rate), at most 16 x max.lag while the input is
   * less than 16 times faster than the trainer (the rate's floor is 1/16).
   */
  private static final long BOUND = 16 * MAX_LAG;
  private static final double HOLDOUT = 0.1;

  /** What one run measured. */
  private record Run(long maxLag, long lagAtEnd, LoopHarness harness, Trainer trainer, long trainedPerSecond) {}

  @Test
  void withMaxLagTheLagStaysBoundedAndTheLineageAccountsForEveryOffsetWithoutItTheLagGrows() throws Exception {
    Run bounded = run("maxlag", MAX_LAG);
    try {
      log.info("with max.lag {}: the highest lag seen {}, at the end of the input {}; {} examples/s trained while "
          + "{}/s came in", MAX_LAG, bounded.maxLag(), bounded.lagAtEnd(), bounded.trainedPerSecond(), PER_SECOND);
      assertTrue(bounded.maxLag() < BOUND, "with max.lag " + MAX_LAG + " the lag stays under " + BOUND + ": "
          + bounded.maxLag());
      LoopHarness h = bounded.harness();
      LoopHarness.await(() -> bounded.trainer().status().eventsConsumed() >= EVENTS, Duration.ofSeconds(120),
          () -> "the trainer catches up: " + bounded.trainer().status());
      bounded.trainer().stop();
      assertTrue(bounded.trainer().awaitStopped(Duration.ofSeconds(60)), "the trainer stops");
      RegistryState registry = RegistryReader.read(h.clientProps(), h.topic(CommonKeys.MODELS_TOPIC),
          Duration.ofSeconds(30));
      LineageAudit audit = LineageAudit.of(registry, "maxlag");
      assertEquals(EVENTS, audit.covered(), "every offset in exactly one range");
      Map<TopicPartition, List<String>> ids = readIds(h);
      long trained = 0;
      long skipped = 0;
      boolean sampled = false;
      for (ModelVersion v : audit.versions()) {
        for (OffsetRange r : v.lineage().ranges()) {
          List<String> partition = ids.get(new TopicPartition(r.topic(), r.partition()));
          long held = 0;
          long notKept = 0;
          for (long o = r.fromOffset(); o < r.untilOffset(); o++) {
            String id = partition.get((int) o);
            if (HoldOut.isHeldOut(id, HOLDOUT)) {
              held++;
            } else if (!LagSampling.keeps(id, r.sampleRate())) {
              notKept++;
            }
          }
          assertEquals(notKept, r.skipped(), v.key() + " " + r + ": its skipped count is the ids its rate leaves out");
          sampled |= r.sampleRate() < 1;
          trained += r.records() - held - notKept;
          skipped += notKept;
        }
      }
      assertTrue(sampled, "the trainer sampled");
      assertEquals(trained, audit.trained(), "trained + held out + skipped = covered, per range");
      assertEquals(skipped, audit.skipped());
      log.info("with max.lag {}: {} events, {} trained, {} skipped by sampling, in {} versions", MAX_LAG, EVENTS,
          trained, skipped, audit.versions().size());
    } finally {
      bounded.trainer().stop();
    }

    Run unbounded = run("nomaxlag", 0);
    unbounded.trainer().stop();
    assertTrue(unbounded.trainer().awaitStopped(Duration.ofSeconds(120)), "the trainer stops");
    log.info("without max.lag: the highest lag seen {}, at the end of the input {}; {} examples/s trained while "
        + "{}/s came in", unbounded.maxLag(), unbounded.lagAtEnd(), unbounded.trainedPerSecond(), PER_SECOND);
    assertTrue(unbounded.lagAtEnd() > BOUND, "without max.lag the same trainer falls behind past " + BOUND + ": "
        + unbounded.lagAtEnd());
  }

  /** Starts a trainer, produces the stream at {@link #PER_SECOND} and samples the lag until it is produced. */
  private Run run(String model, long maxLag) throws Exception {
    LoopHarness h = new LoopHarness(kafka, model);
    h.createTopics();
    TrainerConfig config = h.trainerConfig(FEATURES, LAYERS, Map.of(
        TrainerConfig.BATCH_SIZE, "4", TrainerConfig.MAX_LAG, String.valueOf(maxLag),
        TrainerConfig.HOLDOUT_FRACTION, String.valueOf(HOLDOUT), TrainerConfig.GATE_MARGIN, "1",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "200", TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix,
        TrainerConfig.DRIFT_DETECTOR, "none"));
    OpsServer ops = new OpsServer("trainer-" + model);
    Trainer trainer = new Trainer(config, ops);
    new Thread(trainer, "trainer-" + model).start();
    LoopHarness.await(() -> trainer.readiness().isEmpty(), Duration.ofSeconds(60),
        () -> "the trainer runs: " + trainer.readiness());
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread producer = new Thread(() -> {
      try {
        h.produce(new GaussianBlobs(4, FEATURES, 11, 0.0), 0, EVENTS, 0, PER_SECOND);
      } catch (Exception e) {
        failure.set(e);
      }
    }, "producer-" + model);
    producer.start();
    long highest = 0;
    long lag = 0;
    long started = System.nanoTime();
    long trainedAtStart = trainer.status().examplesTrained();
    try (KafkaConsumer<String, byte[]> ends = new KafkaConsumer<>(h.clientProps(), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        partitions.add(new TopicPartition(h.topic(CommonKeys.LABELED_TOPIC), p));
      }
      while (producer.isAlive()) {
        producer.join(250);
        lag = backlog(ends, partitions, trainer);
        highest = Math.max(highest, lag);
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    if (failure.get() != null) {
      throw failure.get();
    }
    long trained = trainer.status().examplesTrained() - trainedAtStart;
    log.info("{}: {} events produced in {} ms; the trainer's own lag gauge read {} at the end", model, EVENTS, millis,
        gaugeLag(ops));
    return new Run(highest, lag, h, trainer, trained * 1_000 / millis);
  }

  /**
   * The records in the input that the training thread has not taken: the partitions' end offsets
   * minus the records the trainer consumed (no rollback in this test, so none counts twice). Measured
   * from outside: the trainer's lag gauge is as of its last poll, and a poller waiting for the
   * training thread does not poll.
   */
  private static long backlog(KafkaConsumer<String, byte[]> ends, List<TopicPartition> partitions, Trainer trainer) {
    long consumed = trainer.status().eventsConsumed();
    long end = ends.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    return Math.max(0, end - consumed);
  }

  /** The trainer's consumer lag over its input partitions, from its gauges (unknown partitions count 0). */
  private static long gaugeLag(OpsServer ops) {
    long sum = 0;
    for (Gauge g : ops.meters().find("streamlearn.trainer.consumer.lag").gauges()) {
      sum += Math.max(0, (long) g.value());
    }
    return sum;
  }

  /** The ids of the labeled topic, per partition in offset order. */
  private static Map<TopicPartition, List<String>> readIds(LoopHarness h) {
    Map<TopicPartition, List<String>> ids = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = h.committedReader(h.topic(CommonKeys.LABELED_TOPIC))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int read = 0;
      while (read < EVENTS && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          List<String> partition = ids.computeIfAbsent(new TopicPartition(r.topic(), r.partition()),
              k -> new ArrayList<>());
          assertEquals(partition.size(), r.offset(), "offsets without gaps (no transactions on the input)");
          partition.add(r.key());
          read++;
        }
      }
    }
    return ids;
  }
}
