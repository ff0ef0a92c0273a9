package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.OpsServer;
import io.streamlearn.learn.Model;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer group in one JVM on the embedded broker: two members share the labeled topic's
 * partitions; one leaves in the middle of the stream (a cooperative rebalance moves its partitions
 * to the other with their committed offsets) and joins again later. Every labeled offset ends up in
 * exactly one version's lineage, every example is trained once, and the versions form one strictly
 * increasing chain.
 */
class TrainerGroupRebalanceIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(TrainerGroupRebalanceIT.class);
  private static final int EVENTS = 12_000;
  private static final int PER_SECOND = 600; // 20 s of input: members leave and join while it flows

  @Test
  void membersLeavingAndJoiningTrainEveryExampleOnceInOneVersionChain() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "grp");
    h.createTopics();
    Trainer a = member(h, "a");
    Trainer b = member(h, "b");
    Thread producer = new Thread(() -> {
      try {
        h.produce(new GaussianBlobs(4, 8, 7, 0.0), 0, EVENTS, 0, PER_SECOND);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "producer-grp");
    producer.start();
    LoopHarness.await(() -> a.status().eventsConsumed() > 500 && b.status().eventsConsumed() > 500,
        Duration.ofSeconds(60), () -> "both members read: " + a.status() + " / " + b.status());
    b.stop();
    assertTrue(b.awaitStopped(Duration.ofSeconds(60)), "member b stops");
    long bRead = b.status().eventsConsumed();
    Thread.sleep(2_000);
    Trainer b2 = member(h, "b");
    LoopHarness.await(() -> b2.status().eventsConsumed() > 500, Duration.ofSeconds(60),
        () -> "member b reads again: " + b2.status());
    producer.join();
    LoopHarness.await(() -> a.status().eventsConsumed() + bRead + b2.status().eventsConsumed() >= EVENTS,
        Duration.ofSeconds(120), () -> "the group reads everything: " + a.status() + " / " + b2.status());
    b2.stop();
    assertTrue(b2.awaitStopped(Duration.ofSeconds(60)), "member b stops again");
    Thread.sleep(1_000);
    a.stop();
    assertTrue(a.awaitStopped(Duration.ofSeconds(60)), "member a stops");

    RegistryState registry = RegistryReader.read(h.clientProps(), h.topic(CommonKeys.MODELS_TOPIC),
        Duration.ofSeconds(30));
    LineageAudit audit = LineageAudit.of(registry, "grp");
    audit.assertParentChain();
    Set<Integer> partitions = new HashSet<>();
    for (ModelVersion v : audit.versions()) {
      for (OffsetRange r : v.lineage().ranges()) {
        partitions.add(r.partition());
      }
    }
    log.info("group: {} versions, {} trained, {} covered; member a read {}, b {} then {}", audit.versions().size(),
        audit.trained(), audit.covered(), a.status().eventsConsumed(), bRead, b2.status().eventsConsumed());
    assertEquals(EVENTS, audit.covered(), "every labeled offset in exactly one version's lineage");
    assertEquals(EVENTS, audit.trained(), "every example trained once (no hold-out)");
    assertEquals(Set.of(0, 1, 2), partitions, "every partition trained");
    assertTrue(bRead > 0 && a.status().eventsConsumed() > 0, "both members trained");
    double first = accuracy(audit.versions().get(0));
    double last = accuracy(audit.versions().get(audit.versions().size() - 1));
    log.info("group: accuracy of the first version {}, of the last {}", first, last);
    assertTrue(last > 0.9, "the group's rounds carry the members' learning into its versions: " + last);
  }

  /** The version's accuracy on 2,000 fresh examples of the stream's distribution. */
  private static double accuracy(ModelVersion v) {
    Model model = Artifacts.toModel(v);
    GaussianBlobs blobs = new GaussianBlobs(4, 8, 7, 0.0);
    int right = 0;
    for (int i = 0; i < 2_000; i++) {
      Example e = blobs.next();
      float[] p = model.predict(e.features());
      int best = 0;
      for (int c = 1; c < p.length; c++) {
        best = p[c] > p[best] ? c : best;
      }
      right += best == e.label() ? 1 : 0;
    }
    return right / 2_000.0;
  }

  private static Trainer member(LoopHarness h, String id) {
    TrainerConfig config = h.trainerConfig(8, "dense(16,relu) > dense(4,softmax)", Map.of(
        TrainerConfig.GROUP_MEMBER, id, TrainerConfig.HOLDOUT_FRACTION, "0", TrainerConfig.GATE_MARGIN, "1",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "50", TrainerConfig.PUBLISH_EVERY_MS, "1000",
        TrainerConfig.GROUP_SYNC_MS, "300", TrainerConfig.DRIFT_DETECTOR, "none",
        TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix,
        TrainerConfig.GROUP_SYNC_TOPIC, "trainer-sync-" + h.suffix));
    Trainer t = new Trainer(config, new OpsServer("trainer-" + id));
    new Thread(t, "trainer-grp-" + id).start();
    return t;
  }
}
