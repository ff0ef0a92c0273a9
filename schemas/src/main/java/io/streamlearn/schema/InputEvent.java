package io.streamlearn.schema;

import java.util.Arrays;
import java.util.Objects;

/**
 * An input event as the trainer and the inference processors use it: a {@link LabeledEvent} or a
 * {@link FeatureEvent} with its features as a primitive array (no boxed floats).
 *
 * @param id the event id
 * @param eventTime epoch milliseconds
 * @param features the input vector (owned by this record; callers must not modify it)
 * @param label the true label, or {@code null} for an unlabeled {@link FeatureEvent}
 */
public record InputEvent(String id, long eventTime, float[] features, Label label) {

  /** Validates the id and features; the array is taken as is, for speed on the hot path. */
  public InputEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(features, "features");
  }

  /** True for a labeled event. */
  public boolean labeled() {
    return label != null;
  }

  /** The label of a {@link LabeledEvent}: a class index or a regression target. */
  public sealed interface Label {
    /** The label as the float the learning engine takes (a class index as a whole number). */
    float asFloat();

    /** The label as the Avro union value: an {@link Integer} or a {@link Float}. */
    Object avroValue();

    /** The label from the Avro union value (an {@link Integer} or a {@link Float}). */
    static Label of(Object avroValue) {
      if (avroValue instanceof Integer i) {
        return new ClassIndex(i);
      }
      if (avroValue instanceof Float f) {
        return new Target(f);
      }
      throw new IllegalArgumentException("label must be an int or a float, found " + avroValue);
    }
  }

  /** A class index for classification. */
  public record ClassIndex(int value) implements Label {
    @Override
    public float asFloat() {
      return value;
    }

    @Override
    public Object avroValue() {
      return value;
    }
  }

  /** A regression target. */
  public record Target(float value) implements Label {
    @Override
    public float asFloat() {
      return value;
    }

    @Override
    public Object avroValue() {
      return value;
    }
  }

  /** Converts a generated record. */
  public static InputEvent of(LabeledEvent e) {
    return new InputEvent(e.getId(), e.getEventTime().toEpochMilli(), FloatLists.unboxed(e.getFeatures()),
        Label.of(e.getLabel()));
  }

  /** Converts a generated record. */
  public static InputEvent of(FeatureEvent e) {
    return new InputEvent(e.getId(), e.getEventTime().toEpochMilli(), FloatLists.unboxed(e.getFeatures()), null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputEvent other && id.equals(other.id) && eventTime == other.eventTime
        && Arrays.equals(features, other.features) && Objects.equals(label, other.label);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, eventTime, Arrays.hashCode(features), label);
  }

  @Override
  public String toString() {
    return "InputEvent[id=" + id + ", eventTime=" + eventTime + ", features=" + features.length
        + " floats, label=" + label + "]";
  }
}
