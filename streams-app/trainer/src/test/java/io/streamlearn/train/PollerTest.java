package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.LabeledEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poller's chunks: what the fast path decodes, what it leaves to the trainer, and rewinds. */
class PollerTest {
  private static final String TOPIC = "labeled";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
  private static final double HOLDOUT = 0.3;
  private final AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private Poller poller;

  private Poller start(Duration maxWait) {
    consumer.assign(List.of(P0, P1));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    poller = new Poller(consumer, TOPIC, "test-poller", maxWait, 1000);
    return poller;
  }

  @AfterEach
  void close() throws InterruptedException {
    if (poller != null) {
      poller.close();
    }
  }

  private void add(TopicPartition tp, long offset, String id, byte[] value) {
    consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, id, value));
  }

  private byte[] event(String id, float first, int label) {
    return serde.serialize(TOPIC, new LabeledEvent(id, Instant.ofEpochMilli(1_000L), List.of(first, 2f, 3f), label));
  }

  private static Poller.Layout layout(int batchSize) {
    return new Poller.Layout(3, 4, 4, batchSize, HOLDOUT);
  }

  private Chunk take() throws InterruptedException {
    Chunk c = poller.next(Duration.ofSeconds(10));
    assertNotNull(c, "a chunk within 10 s");
    return c;
  }

  @Test
  void decodesWellFormedEventsIntoBatchAndHoldOutRowsAndPassesTheRestOnInOrder() throws Exception {
    start(Duration.ofSeconds(60));
    poller.configure(layout(64));
    List<String> trained = new ArrayList<>();
    List<String> held = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = "e-" + i;
      (HoldOut.isHeldOut(id, HOLDOUT) ? held : trained).add(id);
      add(i % 2 == 0 ? P0 : P1, i / 2, id, event(id, i, i % 4));
    }
    add(P0, 20, "garbage", "not avro".getBytes(StandardCharsets.UTF_8));
    add(P1, 20, "nan", event("nan", Float.NaN, 1));
    add(P1, 21, "label-7", event("label-7", 1f, 7)); // outside the 4 classes
    poller.start(); // one poll takes them all, the next (empty) one hands the partial chunk over
    Chunk c = take();
    assertEquals(43, c.records);
    assertEquals(40, c.fast);
    assertEquals(trained.size(), c.train.rows, "rows for training");
    assertEquals(held.size(), c.held, "held-out rows");
    assertEquals(List.of("labeled-0@20", "labeled-1@20", "labeled-1@21"),
        c.raw.stream().map(r -> r.topic() + "-" + r.partition() + "@" + r.offset()).sorted().toList(),
        "the garbage, the NaN and the unknown label, each partition in order");
    assertEquals(Map.of(P0, 21L, P1, 22L), c.next);
    int i = Integer.parseInt(trained.get(trained.size() - 1).substring(2)); // some event that is trained on
    TopicPartition source = i % 2 == 0 ? P0 : P1;
    int row = 0;
    while (!(c.train.sources[row].equals(source) && c.train.offsets[row] == i / 2)) {
      row++;
    }
    assertArrayEquals(new float[] {i, 2f, 3f}, java.util.Arrays.copyOfRange(c.train.x, row * 3, row * 3 + 3));
    assertEquals(i % 4, c.train.y[row]);
    poller.recycle(c);
  }

  @Test
  void passesEverythingOnUntilTheNetworkIsKnownAndHandsFullBatchesOverAtOnce() throws Exception {
    start(Duration.ofSeconds(60));
    poller.start();
    add(P0, 0, "e-0", event("e-0", 0f, 0));
    Chunk first = take();
    assertNull(first.train, "no layout yet: records only");
    assertEquals(1, first.raw.size());
    poller.recycle(first);
    poller.configure(layout(4));
    List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
    int offset = 1;
    int trained = 0;
    while (trained < 4) { // exactly one full batch of rows to train
      String id = "f-" + offset;
      if (!HoldOut.isHeldOut(id, HOLDOUT)) {
        trained++;
      }
      batch.add(new ConsumerRecord<>(TOPIC, 0, offset++, id, event(id, 1f, 1)));
    }
    consumer.schedulePollTask(() -> batch.forEach(consumer::addRecord));
    Chunk full = take();
    assertEquals(4, full.train.rows);
    assertEquals(Map.of(P0, (long) offset), full.next);
    poller.recycle(full);
  }

  @Test
  void afterARewindTagsChunksWithTheNewEpochAndLeavesPoisonedOffsetsToTheTrainer() throws Exception {
    start(Duration.ofSeconds(60));
    poller.configure(layout(64));
    for (int i = 0; i < 5; i++) {
      add(P0, i, "g-" + i, event("g-" + i, i, 0));
    }
    poller.start();
    Chunk before = take();
    assertEquals(0, before.epoch);
    assertEquals(5, before.fast);
    poller.recycle(before);
    poller.rewind(1, Map.of(P0, 0L), Map.of(P0, Set.of(2L)));
    Thread.sleep(200); // the poller applies the rewind before its next poll
    assertEquals(0L, consumer.position(P0), "seeked back to the checkpoint");
    consumer.schedulePollTask(() -> {
      for (int i = 0; i < 5; i++) {
        add(P0, i, "g-" + i, event("g-" + i, i, 0));
      }
    });
    Chunk after = take();
    assertEquals(1, after.epoch);
    assertEquals(4, after.fast);
    assertEquals(List.of(2L), after.raw.stream().map(ConsumerRecord::offset).toList(), "the poisoned record");
    poller.recycle(after);
  }

  @Test
  void runsAtMostItsPoolOfChunksAheadOfTheTrainer() throws Exception {
    start(Duration.ofSeconds(60));
    poller.configure(new Poller.Layout(3, 4, 4, 1, 0.0)); // batch of one row: every record fills a chunk
    for (int i = 0; i < 100; i++) {
      add(P0, i, "k-" + i, event("k-" + i, i, 0));
    }
    poller.start();
    List<Chunk> taken = new ArrayList<>();
    for (Chunk c = poller.next(Duration.ofSeconds(2)); c != null; c = poller.next(Duration.ofMillis(500))) {
      taken.add(c);
    }
    assertEquals(Poller.CHUNKS, taken.size(), "chunks handed over while none is given back");
    poller.recycle(taken.get(0));
    assertNotNull(poller.next(Duration.ofSeconds(2)), "one more once one is recycled");
    assertEquals(32, Poller.chunksFor(new Poller.Layout(784, 10, 10, 64, 0.1)), "Fashion-MNIST, batch 64");
    assertEquals(2, Poller.chunksFor(new Poller.Layout(1 << 20, 2, 2, 64, 0.1)), "wide rows: the fewest that still overlap reading and training");
  }

  @Test
  void aClosedPollerGivesBackThePartlyFilledChunk() throws Exception {
    start(Duration.ofSeconds(60));
    poller.configure(layout(64));
    consumer.schedulePollTask(() -> add(P0, 0, "h-0", event("h-0", 0f, 0)));
    consumer.schedulePollTask(() -> add(P0, 1, "h-1", event("h-1", 0f, 0)));
    consumer.schedulePollTask(() -> add(P0, 2, "h-2", event("h-2", 0f, 0)));
    poller.start();
    Thread.sleep(300);
    poller.close();
    int records = 0;
    for (Chunk c : poller.drain()) {
      records += c.records;
    }
    assertEquals(3, records, "every record read is handed over");
    assertTrue(poller.drain().isEmpty());
    poller = null;
  }
}
