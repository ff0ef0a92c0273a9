package io.streamlearn.features;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.SparseRows;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A fitted {@link FeaturePipeline} frozen for one model version: inference featurizes with it
 * exactly as training did when the version was cut (same vocabularies, same running statistics,
 * same hash sizes, same classes), so there is no second implementation to drift from the first.
 *
 * <p>Immutable and thread-safe: it is never updated after construction, and featurizing allocates
 * its scratch per call. {@link #toJson()} is its stable text form (format 1), which {@link #parse}
 * reads back to an equal pipeline; {@link #thaw()} resumes fitting from it (a trainer restart).
 */
public final class FrozenPipeline {

  /** The format version of {@link #toJson()}. */
  public static final int FORMAT = 1;

  private final Featurizer featurizer;
  private final LabelSpec label;
  private final int classCount;
  private final PipelineState state;
  private final long rowsLearned;

  FrozenPipeline(Featurizer featurizer, LabelSpec label, int classCount, PipelineState state, long rowsLearned) {
    this.featurizer = featurizer;
    this.label = label;
    this.classCount = FeaturePipeline.checkClassCount(label, classCount);
    this.state = state;
    this.rowsLearned = rowsLearned;
  }

  /** Parses the text of {@link #toJson()}. */
  public static FrozenPipeline parse(String json) {
    return PipelineJson.read(json);
  }

  /** The stable JSON text form: spec, label spec, classes, per-field statistics and vocabularies, layout. */
  public String toJson() {
    return PipelineJson.write(this);
  }

  /** A mutable pipeline that continues fitting from this state. */
  public FeaturePipeline thaw() {
    return new FeaturePipeline(featurizer, label, classCount, state.copy(), rowsLearned);
  }

  /**
   * Appends the row of {@code record} to {@code out}.
   *
   * @throws BadRecordException if a field is bad; nothing is written then
   */
  public void featurize(InputRecord record, SparseRows out) {
    if (out.layout() != featurizer.layout && !out.layout().equals(featurizer.layout)) {
      throw new IllegalArgumentException("rows of layout " + out.layout() + " cannot take this pipeline's rows of " + featurizer.layout);
    }
    featurizer.write(featurizer.read(record), state, out);
  }

  /**
   * The label of {@code record} among this version's classes (for scoring predictions against labels).
   *
   * @throws BadRecordException if the label is missing, of a wrong type, or not one of the classes
   */
  public Label label(InputRecord record) {
    return Labels.commit(Labels.resolve(label, record, state, classCount, false), state);
  }

  /** The spec. */
  public FeatureSpec spec() {
    return featurizer.spec;
  }

  /** The label spec, or null. */
  public LabelSpec labelSpec() {
    return label;
  }

  /** The model's class count. */
  public int classCount() {
    return classCount;
  }

  /** The label classes in class-index order; a prediction's class {@code i} is the label {@code classes().get(i)} (when there are that many). */
  public List<String> classes() {
    return state.classes();
  }

  /** The label value of class {@code index}, or null when no label has taken that class yet. */
  public String className(int index) {
    return index >= 0 && index < state.classes().size() ? state.classes().get(index) : null;
  }

  /** The row layout. */
  public FeatureLayout layout() {
    return featurizer.layout;
  }

  /** Names of the dense columns. */
  public List<String> denseColumns() {
    return featurizer.denseColumns;
  }

  /** The input fields and their types, for the version's signature. */
  public List<InputField> inputFields() {
    return FeaturePipeline.inputFields(featurizer.spec);
  }

  /** Training rows learned before freezing. */
  public long rowsLearned() {
    return rowsLearned;
  }

  /** The vocabulary of category field {@code path} in slot order (slot {@code capacity} is "other"). */
  public List<String> vocabulary(String path) {
    return state.vocabularyList(fieldIndex(path, Featurizer.Kind.CATEGORY));
  }

  /** The running mean of numeric field {@code path}. */
  public double mean(String path) {
    return state.mean[fieldIndex(path, Featurizer.Kind.NUMERIC)];
  }

  /** The running (population) standard deviation used to scale numeric field {@code path}. */
  public double std(String path) {
    return state.std(fieldIndex(path, Featurizer.Kind.NUMERIC));
  }

  /** Values seen of numeric field {@code path}. */
  public long count(String path) {
    return state.count[fieldIndex(path, Featurizer.Kind.NUMERIC)];
  }

  PipelineState state() {
    return state;
  }

  Featurizer featurizer() {
    return featurizer;
  }

  private int fieldIndex(String path, Featurizer.Kind kind) {
    for (int f = 0; f < featurizer.fields(); f++) {
      if (featurizer.path(f).equals(path)) {
        if (Featurizer.kindOf(featurizer.transform(f)) != kind) {
          throw new IllegalArgumentException("field " + path + " is " + featurizer.transform(f).text() + ", not " + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
        return f;
      }
    }
    throw new IllegalArgumentException("no field " + path + " in " + featurizer.spec.text());
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof FrozenPipeline that)) {
      return false;
    }
    if (!featurizer.spec.equals(that.featurizer.spec) || !Objects.equals(label, that.label)
        || classCount != that.classCount || rowsLearned != that.rowsLearned
        || !state.classes().equals(that.state.classes())
        || !Arrays.equals(state.count, that.state.count) || !Arrays.equals(state.mean, that.state.mean)
        || !Arrays.equals(state.m2, that.state.m2)) {
      return false;
    }
    for (int f = 0; f < featurizer.fields(); f++) {
      if (!state.vocabularyList(f).equals(that.state.vocabularyList(f))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(featurizer.spec, label, classCount, rowsLearned, state.classes(), Arrays.hashCode(state.mean));
  }

  @Override
  public String toString() {
    return "FrozenPipeline[" + featurizer.spec.text() + (label == null ? "" : ", label " + label.text())
        + ", " + rowsLearned + " rows learned, classes " + state.classes() + "]";
  }
}
