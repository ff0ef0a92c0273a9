package io.streamlearn.train;

import io.streamlearn.schema.InputEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Joins delayed labels with their examples by event id. A {@link InputEvent FeatureEvent} waits
 * for its {@code LabelEvent} until the labels' stream time is more than the window past the
 * example's {@code eventTime}: the label is not coming. A side's stream time is its low watermark,
 * the smallest over its partitions of the newest {@code eventTime} seen on each (a lagging
 * partition holds it back, as Kafka Streams' stream time does).
 * A label that overtook its example (the two topics are consumed at their own pace) waits likewise
 * until the features' stream time is more than the window past the label's time. Each side also
 * keeps at most {@code maxPending} events, dropping the oldest by event time. Dropped events are counted.
 * Expiry follows event time, not the wall clock, and each side is judged by the other side's
 * progress, so the result does not depend on how the two topics' records interleave, and a replay
 * after a restart joins as the first run did. The pending events are part of the trainer
 * checkpoint. Not thread-safe.
 */
final class LabelJoin {
  private final long windowMs;
  private final int maxPending;
  private final Side<InputEvent> features = new Side<>();
  private final Side<PendingLabel> labels = new Side<>();
  private final long[] featureTimes;
  private final long[] labelTimes;
  private long featureTime = Long.MIN_VALUE;
  private long labelTime = Long.MIN_VALUE;
  private long dropped;

  /** A label waiting for its example. */
  record PendingLabel(String id, long eventTime, InputEvent.Label label) {}

  /** The checkpointed state. */
  record State(List<InputEvent> features, List<PendingLabel> labels, long[] featureTimes, long[] labelTimes,
               long dropped) {
    State {
      features = List.copyOf(features);
      labels = List.copyOf(labels);
      featureTimes = featureTimes.clone();
      labelTimes = labelTimes.clone();
      if (dropped < 0) {
        throw new IllegalArgumentException("dropped must be >= 0, found " + dropped);
      }
    }
  }

  /** One side's waiting events: by id, and by event time for expiry (stale matched entries are skipped). */
  private static final class Side<T> {
    private record Timed(long time, String id) {}

    final Map<String, T> byId = new HashMap<>();
    final Map<String, Long> times = new HashMap<>();
    final PriorityQueue<Timed> byTime = new PriorityQueue<>(
        Comparator.comparingLong(Timed::time).thenComparing(Timed::id));

    void put(String id, long time, T value) {
      byId.put(id, value);
      times.put(id, time);
      byTime.add(new Timed(time, id));
    }

    T remove(String id) {
      times.remove(id);
      return byId.remove(id);
    }

    /** Removes the oldest waiting events while {@code tooOld} holds for them (or while over {@code max}); returns how many. */
    int expire(java.util.function.LongPredicate tooOld, int max) {
      int removed = 0;
      while (!byTime.isEmpty()) {
        Timed head = byTime.peek();
        Long live = times.get(head.id());
        if (live == null || live != head.time()) {
          byTime.poll(); // matched or replaced since
          continue;
        }
        if (!tooOld.test(head.time()) && byId.size() <= max) {
          return removed;
        }
        byTime.poll();
        remove(head.id());
        removed++;
      }
      return removed;
    }

    List<T> values() {
      List<T> out = new ArrayList<>();
      for (Timed t : byTime.stream().sorted(byTime.comparator()).toList()) {
        Long live = times.get(t.id());
        if (live != null && live == t.time()) {
          out.add(byId.get(t.id()));
        }
      }
      return out;
    }

    void clear() {
      byId.clear();
      times.clear();
      byTime.clear();
    }
  }

  LabelJoin(long windowMs, int maxPending, int featurePartitions, int labelPartitions) {
    this.windowMs = windowMs;
    this.maxPending = maxPending;
    this.featureTimes = new long[featurePartitions];
    this.labelTimes = new long[labelPartitions];
    Arrays.fill(featureTimes, Long.MIN_VALUE);
    Arrays.fill(labelTimes, Long.MIN_VALUE);
  }

  /** Whether an event of this time waited too long for its partner, given the partner side's watermark. */
  private boolean expired(long eventTime, long partnerWatermark) {
    return partnerWatermark != Long.MIN_VALUE && eventTime < partnerWatermark - windowMs;
  }

  /** Advances one partition's time; returns the side's new low watermark. */
  private static long advance(long[] times, int partition, long eventTime) {
    if (eventTime > times[partition]) {
      times[partition] = eventTime;
    }
    long min = Long.MAX_VALUE;
    for (long t : times) {
      min = Math.min(min, t);
    }
    return min;
  }

  /** A FeatureEvent arrived on a partition (its index among the features topic's): the labeled example when its label is waiting, else {@code null}. */
  InputEvent offerFeatures(InputEvent e, int partition) {
    long watermark = advance(featureTimes, partition, e.eventTime());
    if (watermark > featureTime) {
      featureTime = watermark;
      dropped += labels.expire(t -> expired(t, featureTime), Integer.MAX_VALUE);
    }
    PendingLabel label = labels.remove(e.id());
    if (label != null) {
      return new InputEvent(e.id(), e.eventTime(), e.features(), label.label());
    }
    if (expired(e.eventTime(), labelTime)) {
      dropped++; // its label would have arrived by now
      return null;
    }
    features.put(e.id(), e.eventTime(), new InputEvent(e.id(), e.eventTime(), e.features(), null));
    dropped += features.expire(t -> false, maxPending);
    return null;
  }

  /** A LabelEvent arrived on a partition: the labeled example when its features are waiting, else {@code null}. */
  InputEvent offerLabel(String id, long eventTime, InputEvent.Label label, int partition) {
    long watermark = advance(labelTimes, partition, eventTime);
    if (watermark > labelTime) {
      labelTime = watermark;
      dropped += features.expire(t -> expired(t, labelTime), Integer.MAX_VALUE);
    }
    InputEvent f = features.remove(id);
    if (f != null) {
      return new InputEvent(id, f.eventTime(), f.features(), label);
    }
    if (expired(eventTime, featureTime)) {
      dropped++; // its example would have arrived by now
      return null;
    }
    labels.put(id, eventTime, new PendingLabel(id, eventTime, label));
    dropped += labels.expire(t -> false, maxPending);
    return null;
  }

  /** Events dropped unmatched (expired or evicted). */
  long dropped() {
    return dropped;
  }

  /** Events waiting for their partner. */
  int pending() {
    return features.byId.size() + labels.byId.size();
  }

  State state() {
    return new State(features.values(), labels.values(), featureTimes, labelTimes, dropped);
  }

  void restore(State s) {
    features.clear();
    labels.clear();
    s.features().forEach(f -> features.put(f.id(), f.eventTime(), f));
    s.labels().forEach(l -> labels.put(l.id(), l.eventTime(), l));
    if (s.featureTimes().length == featureTimes.length && s.labelTimes().length == labelTimes.length) {
      System.arraycopy(s.featureTimes(), 0, featureTimes, 0, featureTimes.length);
      System.arraycopy(s.labelTimes(), 0, labelTimes, 0, labelTimes.length);
    } else { // the partition counts changed: the watermarks start over
      Arrays.fill(featureTimes, Long.MIN_VALUE);
      Arrays.fill(labelTimes, Long.MIN_VALUE);
    }
    featureTime = advance(featureTimes, 0, Long.MIN_VALUE);
    labelTime = advance(labelTimes, 0, Long.MIN_VALUE);
    dropped = s.dropped();
  }
}
