package io.streamlearn.train;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * A trainer's meters, tagged with its model: the run's totals and gauges that {@code /metrics}
 * serves (the names below become Prometheus' {@code streamlearn_examples_trained_total}, {@code
 * streamlearn_trainer_batch_duration_seconds} and so on; {@code docs/operations.md} lists them).
 *
 * <p>The training thread records what only it sees as it happens, once per batch (examples
 * trained, the batch's duration) or per commit (checkpoints): a counter increment, no allocation.
 * The other totals and gauges are read when scraped, from the {@link TrainerStatus} the trainer
 * already publishes after each batch, dead letter and commit, and from {@link TrainerHealth} and
 * the {@link Poller}'s lag per partition: the scrape never touches the trainer's state or its
 * consumer, and the status lines and the meters show the same figures.
 *
 * <p>{@link #close()} removes them, so a trainer started again in the same process (the demo, a
 * test) registers its own.
 */
final class TrainerMeters implements AutoCloseable {
  static final String TRAINED = "streamlearn.examples.trained";
  static final String HELD_OUT = "streamlearn.examples.held.out";
  static final String DEAD_LETTERED = "streamlearn.examples.dead.lettered";
  static final String BATCH_DURATION = "streamlearn.trainer.batch.duration";
  static final String LAG = "streamlearn.trainer.consumer.lag";
  static final String CHECKPOINT_AGE = "streamlearn.trainer.checkpoint.age";
  static final String CHECKPOINTS = "streamlearn.trainer.checkpoints";
  static final String PUBLISHED = "streamlearn.trainer.versions.published";
  static final String REJECTED = "streamlearn.trainer.gate.rejections";
  static final String ROLLBACKS = "streamlearn.trainer.rollbacks";
  static final String DRIFTS = "streamlearn.trainer.drifts";
  static final String ACCURACY = "streamlearn.trainer.prequential.accuracy";
  static final String LOSS = "streamlearn.trainer.prequential.loss";
  static final String LEARNING_RATE = "streamlearn.trainer.learning.rate";
  static final String LAST_VERSION = "streamlearn.trainer.last.version";
  static final String SKIPPED = "streamlearn.trainer.examples.skipped";
  static final String SAMPLE_RATE = "streamlearn.trainer.sample.rate";
  static final String GROUP_CONTRIBUTIONS = "streamlearn.trainer.group.contributions";
  static final String GROUP_CONTRIBUTION_BYTES = "streamlearn.trainer.group.contribution.bytes";
  static final String GROUP_ROUNDS_ADOPTED = "streamlearn.trainer.group.rounds.adopted";
  static final String GROUP_ROUNDS_FOLDED = "streamlearn.trainer.group.rounds.folded";
  static final String GROUP_ROUND_BYTES = "streamlearn.trainer.group.round.bytes";
  static final String GROUP_REFUSED_COMMITS = "streamlearn.trainer.group.refused.commits";
  static final String GROUP_PARTITIONS = "streamlearn.trainer.group.partitions";
  static final String GROUP_PUBLISHING = "streamlearn.trainer.group.publishing";

  private final MeterRegistry registry;
  private final Tags tags;
  private final Supplier<TrainerStatus> status;
  private final TrainerHealth health;
  private final List<Meter> meters = new ArrayList<>();
  /** Input partitions with a lag gauge. */
  private final Set<TopicPartition> lagGauges = ConcurrentHashMap.newKeySet();
  private final Counter trained;
  private final Timer batches;
  private final Counter checkpoints;

  /**
   * Registers the meters of the trainer of {@code model}.
   *
   * @param status the trainer's latest status (a volatile read)
   */
  TrainerMeters(MeterRegistry registry, String model, Supplier<TrainerStatus> status, TrainerHealth health) {
    this.registry = registry;
    this.tags = Tags.of("model", model);
    this.status = status;
    this.health = health;
    trained = keep(Counter.builder(TRAINED).tags(tags)
        .description("Examples trained on in this run, in batches with a finite loss (a rollback's replay again)")
        .register(registry));
    batches = keep(Timer.builder(BATCH_DURATION).tags(tags)
        .description("Time to score (test-then-train) and train on one mini-batch").register(registry));
    checkpoints = keep(Counter.builder(CHECKPOINTS).tags(tags)
        .description("Checkpoints committed (each one Kafka transaction with the consumed offsets)")
        .register(registry));
    total(HELD_OUT, "Events kept for the hold-out set instead of training on them", TrainerStatus::heldOut);
    total(DEAD_LETTERED, "Input records sent to the dead-letter topic", TrainerStatus::deadLetters);
    total(PUBLISHED, "Versions published by this run", TrainerStatus::publishedVersions);
    total(REJECTED, "Candidate versions the validation gate refused", TrainerStatus::rejectedVersions);
    total(ROLLBACKS, "Rollbacks to the last checkpoint after a non-finite loss or weights",
        TrainerStatus::discardedBatches);
    total(DRIFTS, "Drifts detected on the prequential error", TrainerStatus::drifts);
    total(SKIPPED, "Events consumed but not trained on: sampled out while the backlog exceeded max.lag",
        TrainerStatus::skippedBySampling);
    gauge(SAMPLE_RATE, "Share of events trained on in the last chunk (1 unless behind by more than max.lag)",
        s -> s.status.get().sampleRate(), null);
    gauge(ACCURACY, "Accuracy of the predictions made before training, over the prequential window",
        s -> s.status.get().prequentialAccuracy(), null);
    gauge(LOSS, "Mean loss before training, over the prequential window",
        s -> s.status.get().prequentialLoss(), null);
    gauge(LEARNING_RATE, "The current base learning rate", s -> s.status.get().learningRate(), null);
    gauge(LAST_VERSION, "The model's newest version number (0 for none)", s -> s.status.get().lastVersion(), null);
    gauge(CHECKPOINT_AGE, "Time since the last committed checkpoint (since the start before the first one)",
        s -> s.health.checkpointAgeSeconds(), "seconds");
  }

  /** Registers a lag gauge for each of the poller's input partitions. */
  void partitions(Poller poller) {
    for (TopicPartition tp : poller.partitions()) {
      partition(poller, tp);
    }
  }

  /** Registers the lag gauge of one input partition (a group member's, when the group assigns it; once). */
  void partition(Poller poller, TopicPartition tp) {
    if (lagGauges.add(tp)) {
      keep(Gauge.builder(LAG, poller, p -> {
        long lag = p.lag(tp);
        return lag < 0 ? Double.NaN : lag;
      }).tags(tags.and("topic", tp.topic(), "partition", String.valueOf(tp.partition())))
          .description("Records of the input partition after the trainer's consumer position (committed records"
              + " only); NaN until the consumer knows the partition's end")
          .strongReference(true).register(registry));
    }
  }

  /**
   * A group member's meters, tagged with its {@code member} id as well: read when scraped from the
   * {@code counters} the training thread keeps (volatile fields), like the status-backed totals.
   *
   * @param publishing whether the member is the group's publisher now (a volatile read)
   */
  void group(TrainerCore.GroupCounters counters, BooleanSupplier publishing, String member) {
    Tags t = tags.and("member", member);
    groupTotal(GROUP_CONTRIBUTIONS, t, counters, "Contributions (updates with their offsets) this member committed",
        c -> c.contributions, null);
    groupTotal(GROUP_CONTRIBUTION_BYTES, t, counters, "Bytes of the contribution records this member committed",
        c -> c.contributionBytes, "bytes");
    groupTotal(GROUP_ROUNDS_ADOPTED, t, counters, "Group rounds this member adopted (its own folds included)",
        c -> c.roundsAdopted, null);
    groupTotal(GROUP_ROUNDS_FOLDED, t, counters, "Group rounds this member folded as the group's publisher",
        c -> c.roundsFolded, null);
    groupTotal(GROUP_ROUND_BYTES, t, counters, "Bytes of the round records this member wrote as the publisher",
        c -> c.roundBytes, "bytes");
    groupTotal(GROUP_REFUSED_COMMITS, t, counters, "Contributions whose commit the group refused (it rebalanced);"
        + " each rolls the member back to its last contribution", c -> c.refusedCommits, null);
    keep(Gauge.builder(GROUP_PARTITIONS, counters, c -> c.partitions).tags(t)
        .description("Input partitions the group assigns this member").strongReference(true).register(registry));
    keep(Gauge.builder(GROUP_PUBLISHING, publishing, p -> p.getAsBoolean() ? 1 : 0).tags(t)
        .description("1 while this member is the group's publisher (it owns the labeled topic's partition 0), else 0")
        .strongReference(true).register(registry));
  }

  private void groupTotal(String name, Tags t, TrainerCore.GroupCounters counters, String description,
                          ToDoubleFunction<TrainerCore.GroupCounters> value, String unit) {
    keep(FunctionCounter.builder(name, counters, value).tags(t).description(description).baseUnit(unit)
        .register(registry));
  }

  /** Training thread, once per batch: {@code rows} examples trained (0 for a batch discarded) in {@code nanos}. */
  void batchTrained(int rows, long nanos) {
    trained.increment(rows);
    batches.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The committing thread, once per commit. */
  void checkpointCommitted() {
    checkpoints.increment();
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }

  private void total(String name, String description, ToDoubleFunction<TrainerStatus> value) {
    keep(FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.status.get())).tags(tags)
        .description(description).register(registry));
  }

  private void gauge(String name, String description, ToDoubleFunction<TrainerMeters> value, String unit) {
    keep(Gauge.builder(name, this, value).tags(tags).description(description).baseUnit(unit).register(registry));
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }
}
