package io.streamlearn.testkit.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.LagSampling;
import io.streamlearn.train.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bounded staleness ({@code max.lag}) on {@link TrainerTestDriver}: an inline trainer reads its
 * whole backlog in one poll, so the backlog behind each chunk, and the rate chosen for it, are
 * exact. Event {@code ev-<n>} is at offset n of the one partition, so every lineage range's skipped
 * and held-out counts are recounted from the ids.
 */
class MaxLagTrainerTest {
  private static final int FEATURES = 4; // TrainerRulesTest.config's
  private static final long MAX_LAG = 160;

  /** {@link TrainerRulesTest}'s trainer with {@code max.lag} on; {@code overrides} (key, value, ...) win. */
  private static Map<String, String> config(String... overrides) {
    Map<String, String> c = TrainerRulesTest.config(TrainerConfig.MAX_LAG, String.valueOf(MAX_LAG));
    for (int i = 0; i < overrides.length; i += 2) {
      c.put(overrides[i], overrides[i + 1]);
    }
    return c;
  }

  private static void pipe(TrainerTestDriver driver, GaussianBlobs blobs, int from, int count) {
    for (int i = from; i < from + count; i++) {
      Example e = blobs.next();
      driver.pipeLabeled("ev-" + i, e.features(), e.label());
    }
  }

  private static List<OffsetRange> ranges(List<ModelVersion> versions) {
    List<OffsetRange> ranges = new ArrayList<>();
    versions.forEach(v -> ranges.addAll(v.lineage().ranges()));
    return ranges;
  }

  /**
   * Checks that the ranges tile {@code [0, events)} and that each range's skipped count is exactly
   * the events of the range neither held out nor kept at its rate; returns the events trained on.
   */
  private static long auditedTrained(List<OffsetRange> ranges, long events, double holdout) {
    long next = 0;
    long trained = 0;
    for (OffsetRange r : ranges) {
      assertEquals(next, r.fromOffset(), "ranges tile the partition: " + ranges);
      long skipped = 0;
      long held = 0;
      for (long o = r.fromOffset(); o < r.untilOffset(); o++) {
        String id = "ev-" + o;
        if (HoldOut.isHeldOut(id, holdout)) {
          held++;
        } else if (!LagSampling.keeps(id, r.sampleRate())) {
          skipped++;
        }
      }
      assertEquals(skipped, r.skipped(), "skipped events of " + r);
      trained += r.records() - held - skipped;
      next = r.untilOffset();
    }
    assertEquals(events, next, "the lineage covers every offset");
    return trained;
  }

  @Test
  void aBacklogBeyondMaxLagIsTrainedOnASampleAtTheStatedRateUntilTheTrainerCatchesUp() {
    TrainerTestDriver driver = new TrainerTestDriver(config());
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 3, 0.0);
    int backlog = 1_600;
    pipe(driver, blobs, 0, backlog);
    driver.process();
    pipe(driver, blobs, backlog, 100); // within the bound: trained in full
    driver.process();
    driver.stop();

    List<OffsetRange> ranges = ranges(driver.versions());
    assertEquals(1.0 / 16, ranges.get(0).sampleRate(), "160 / 1,600 rounds down to 1/16: " + ranges);
    assertEquals(LagSampling.rate(MAX_LAG, backlog), ranges.get(0).sampleRate());
    for (int i = 1; i < ranges.size(); i++) {
      assertTrue(ranges.get(i).sampleRate() > ranges.get(i - 1).sampleRate(),
          "a range starts where the rate changes, and the rate only rises as the backlog shrinks: " + ranges);
    }
    OffsetRange last = ranges.get(ranges.size() - 1);
    assertEquals(1.0, last.sampleRate(), "caught up: " + ranges);
    assertEquals(0, last.skipped());
    assertTrue(last.fromOffset() >= backlog - MAX_LAG && ranges.get(ranges.size() - 2).fromOffset() < backlog - MAX_LAG,
        "rate 1 from the first chunk with at most " + MAX_LAG + " records behind it: " + ranges);
    for (OffsetRange r : ranges.subList(0, ranges.size() - 1)) {
      assertEquals(LagSampling.rate(MAX_LAG, backlog - r.fromOffset()), r.sampleRate(),
          "the rate of the backlog behind the range's first record: " + r);
    }

    long trained = auditedTrained(ranges, backlog + 100, 0);
    long skipped = ranges.stream().mapToLong(OffsetRange::skipped).sum();
    assertEquals(trained, driver.versions().get(driver.versions().size() - 1).lineage().examplesSeen());
    assertEquals(skipped, driver.status().skippedBySampling());
    assertEquals(1.0, driver.status().sampleRate());
    assertEquals((double) skipped, driver.meters().get("streamlearn.trainer.examples.skipped").functionCounter()
        .count());
    assertTrue(skipped > backlog / 2, "most of the backlog was skipped: " + skipped);
  }

  @Test
  void theSampleIsAFunctionOfTheIdsSoTwoTrainersOnTheSameEventsTrainAlike() {
    List<ModelVersion> first = null;
    for (int run = 0; run < 2; run++) {
      TrainerTestDriver driver = new TrainerTestDriver(config());
      pipe(driver, new GaussianBlobs(2, FEATURES, 5, 0.0), 0, 1_200);
      driver.stop();
      if (first == null) {
        first = driver.versions();
        continue;
      }
      List<ModelVersion> second = driver.versions();
      assertEquals(ranges(first), ranges(second), "same ids, same rates and skips");
      assertEquals(first.get(0).checksum(), second.get(0).checksum(), "same sample, same weights");
    }
  }

  @Test
  void aTrainerKilledWhileSamplingKeepsAnExactAccountOfEveryOffset() {
    double holdout = 0.1;
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.HOLDOUT_FRACTION, String.valueOf(holdout),
        TrainerConfig.PUBLISH_EVERY_BATCHES, "4", TrainerConfig.CHECKPOINT_EVERY_BATCHES, "3",
        TrainerConfig.GATE_MARGIN, "1"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 7, 0.0);
    pipe(driver, blobs, 0, 2_000);
    driver.process();
    long committed = driver.checkpoints().get(driver.checkpoints().size() - 1).nextOffset(
        driver.settings().topics().labeled(), 0);
    assertTrue(committed < 2_000, "some work is not committed when the trainer dies: " + committed);
    driver.restart();
    pipe(driver, blobs, 2_000, 600);
    driver.process();
    driver.stop();

    List<ModelVersion> versions = driver.versions();
    List<OffsetRange> ranges = ranges(versions);
    assertTrue(ranges.stream().anyMatch(r -> r.sampleRate() < 1), "sampled: " + ranges);
    long trained = auditedTrained(ranges, 2_600, holdout);
    assertEquals(trained, versions.stream().mapToLong(v -> v.lineage().examplesSinceParent()).sum(),
        "each trained example in exactly one version");
    assertEquals(trained, versions.get(versions.size() - 1).lineage().examplesSeen());
  }

  @Test
  void withoutMaxLagEveryEventIsTrainedOnInOneRangeAtRateOne() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.MAX_LAG, "0"));
    pipe(driver, new GaussianBlobs(2, FEATURES, 3, 0.0), 0, 1_600);
    driver.stop();
    List<OffsetRange> ranges = ranges(driver.versions());
    assertEquals(List.of(new OffsetRange(driver.settings().topics().labeled(), 0, 0, 1_600)), ranges);
    assertEquals(0, driver.status().skippedBySampling());
  }
}
