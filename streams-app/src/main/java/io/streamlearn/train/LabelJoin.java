package io.streamlearn.train;

import io.streamlearn.schema.InputEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins delayed labels with their examples by event id. A {@link InputEvent FeatureEvent} waits
 * for its {@code LabelEvent} until the labels' stream time (the newest label {@code eventTime}
 * seen) is more than the window past the example's {@code eventTime}: the label is not coming.
 * A label that overtook its example (the two topics are consumed at their own pace) waits likewise
 * until the features' stream time is more than the window past the label's time. Each side also
 * keeps at most {@code maxPending} events, dropping the oldest. Dropped events are counted.
 * Expiry follows event time, not the wall clock, and each side is judged by the other side's
 * progress, so the result does not depend on how the two topics' records interleave, and a replay
 * after a restart joins as the first run did. The pending events are part of the trainer
 * checkpoint. Not thread-safe.
 */
final class LabelJoin {
  private final long windowMs;
  private final int maxPending;
  private final LinkedHashMap<String, InputEvent> features = new LinkedHashMap<>();
  private final LinkedHashMap<String, PendingLabel> labels = new LinkedHashMap<>();
  private long featureTime = Long.MIN_VALUE;
  private long labelTime = Long.MIN_VALUE;
  private long dropped;

  /** A label waiting for its example. */
  record PendingLabel(String id, long eventTime, InputEvent.Label label) {}

  /** The checkpointed state. */
  record State(List<InputEvent> features, List<PendingLabel> labels, long featureTime, long labelTime,
               long dropped) {
    State {
      features = List.copyOf(features);
      labels = List.copyOf(labels);
      if (dropped < 0) {
        throw new IllegalArgumentException("dropped must be >= 0, found " + dropped);
      }
    }
  }

  LabelJoin(long windowMs, int maxPending) {
    this.windowMs = windowMs;
    this.maxPending = maxPending;
  }

  /** A FeatureEvent arrived: the labeled example when its label is waiting, else {@code null}. */
  InputEvent offerFeatures(InputEvent e) {
    if (e.eventTime() > featureTime) {
      featureTime = e.eventTime();
      expire(labels.values().iterator(), featureTime - windowMs, false);
    }
    PendingLabel label = labels.remove(e.id());
    if (label != null) {
      return new InputEvent(e.id(), e.eventTime(), e.features(), label.label());
    }
    if (e.eventTime() < labelTime - windowMs) {
      dropped++; // its label would have arrived by now
      return null;
    }
    features.put(e.id(), new InputEvent(e.id(), e.eventTime(), e.features(), null));
    evict(features);
    return null;
  }

  /** A LabelEvent arrived: the labeled example when its features are waiting, else {@code null}. */
  InputEvent offerLabel(String id, long eventTime, InputEvent.Label label) {
    if (eventTime > labelTime) {
      labelTime = eventTime;
      expire(features.values().iterator(), labelTime - windowMs, true);
    }
    InputEvent f = features.remove(id);
    if (f != null) {
      return new InputEvent(id, f.eventTime(), f.features(), label);
    }
    if (eventTime < featureTime - windowMs) {
      dropped++; // its example would have arrived by now
      return null;
    }
    labels.put(id, new PendingLabel(id, eventTime, label));
    evict(labels);
    return null;
  }

  private <T> void expire(Iterator<T> it, long horizon, boolean isFeature) {
    // Insertion order is close to event-time order; scan only the expired head.
    while (it.hasNext()) {
      T t = it.next();
      long time = isFeature ? ((InputEvent) t).eventTime() : ((PendingLabel) t).eventTime();
      if (time >= horizon) {
        return;
      }
      it.remove();
      dropped++;
    }
  }

  private void evict(Map<String, ?> side) {
    Iterator<String> it = side.keySet().iterator();
    while (side.size() > maxPending) {
      it.next();
      it.remove();
      dropped++;
    }
  }

  /** Events dropped unmatched (expired or evicted). */
  long dropped() {
    return dropped;
  }

  /** Events waiting for their partner. */
  int pending() {
    return features.size() + labels.size();
  }

  State state() {
    return new State(new ArrayList<>(features.values()), new ArrayList<>(labels.values()), featureTime,
        labelTime, dropped);
  }

  void restore(State s) {
    features.clear();
    labels.clear();
    s.features().forEach(f -> features.put(f.id(), f));
    s.labels().forEach(l -> labels.put(l.id(), l));
    featureTime = s.featureTime();
    labelTime = s.labelTime();
    dropped = s.dropped();
  }
}
