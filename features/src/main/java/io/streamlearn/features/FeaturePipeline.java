package io.streamlearn.features;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.SparseRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link FeatureSpec} being fitted online as the trainer sees training rows: numeric fields keep a
 * running mean and variance, category fields a vocabulary, a classification label its classes.
 * {@link #freeze()} cuts the immutable {@link FrozenPipeline} a model version carries.
 *
 * <p>Which rows it learns from is the trainer's call: feed it the rows the model trains on
 * ({@link #learnAndFeaturize}) and only featurize rows held out for validation ({@link #featurize}),
 * so a hold-out score measures a pipeline that has not seen them, as it measures weights that have
 * not. A training row is learned first and featurized second (as River's learn-then-transform), so
 * a category's first row already writes its own slot, which the model then trains.
 *
 * <p>The {@link FeatureLayout} depends on the spec alone, never on what has been fitted: a
 * vocabulary fills slots that exist from the start, so the model's shape never changes. A bad record
 * ({@link BadRecordException}) changes nothing: every field and the label are checked before any
 * statistic moves or any row is written.
 *
 * <p>Mutable and not thread-safe: one trainer thread owns it.
 */
public final class FeaturePipeline {

  private final Featurizer featurizer;
  private final LabelSpec label;
  private final int classCount;
  private final PipelineState state;
  private long rowsLearned;

  /**
   * A pipeline that has learned nothing yet.
   *
   * @param spec the input fields
   * @param label where labels come from, or null for a pipeline that only featurizes
   * @param classCount the model's class count (the output layer's width) for classification; 2 for
   *     a threshold label; ignored for regression
   */
  public FeaturePipeline(FeatureSpec spec, LabelSpec label, int classCount) {
    this(new Featurizer(Objects.requireNonNull(spec, "spec")), label, classCount, null, 0);
  }

  FeaturePipeline(Featurizer featurizer, LabelSpec label, int classCount, PipelineState state, long rowsLearned) {
    this.featurizer = featurizer;
    this.label = label;
    this.classCount = checkClassCount(label, classCount);
    this.rowsLearned = rowsLearned;
    if (state != null) {
      this.state = state;
    } else {
      this.state = new PipelineState(featurizer.fields());
      if (label != null && label.fixedClasses() != null) {
        label.fixedClasses().forEach(this.state::addClass);
      }
    }
  }

  static int checkClassCount(LabelSpec label, int classCount) {
    if (label instanceof LabelSpec.Threshold && classCount != 2) {
      throw new IllegalArgumentException("a threshold label (" + label.text() + ") has 2 classes, the model has " + classCount);
    }
    if (label instanceof LabelSpec.Classification && classCount < 2) {
      throw new IllegalArgumentException("classification needs at least 2 classes, got " + classCount);
    }
    if (classCount < 0) {
      throw new IllegalArgumentException("classCount must be >= 0, got " + classCount);
    }
    return classCount;
  }

  /** The spec being fitted. */
  public FeatureSpec spec() {
    return featurizer.spec;
  }

  /** The label spec, or null. */
  public LabelSpec labelSpec() {
    return label;
  }

  /** The class count the label vocabulary may grow to. */
  public int classCount() {
    return classCount;
  }

  /** The layout of every row written: fixed by the spec. */
  public FeatureLayout layout() {
    return featurizer.layout;
  }

  /** Names of the dense columns, e.g. {@code distance}, {@code distance.missing}, {@code date.hour.sin}. */
  public List<String> denseColumns() {
    return featurizer.denseColumns;
  }

  /** The label classes learned so far, in class-index order (a view). */
  public List<String> classes() {
    return state.classes();
  }

  /** Training rows learned. */
  public long rowsLearned() {
    return rowsLearned;
  }

  /** The input fields and their types, for a version's signature. */
  public List<InputField> inputFields() {
    return inputFields(featurizer.spec);
  }

  static List<InputField> inputFields(FeatureSpec spec) {
    List<InputField> fields = new ArrayList<>();
    for (FieldSpec field : spec.fields()) {
      fields.add(new InputField(field.path(), field.transform().text(), field.optional()));
    }
    List<String> own = spec.paths();
    for (String path : spec.inputPaths()) {
      if (!own.contains(path)) { // read only to cross with a time key; a record may lack it
        fields.add(new InputField(path, "key", true));
      }
    }
    return List.copyOf(fields);
  }

  /**
   * Learns a training row (features and label), then appends its row to {@code out} and returns its
   * label (null when the pipeline has no label spec).
   *
   * @throws BadRecordException if a field or the label is bad; nothing is learned or written then
   */
  public Label learnAndFeaturize(InputRecord record, SparseRows out) {
    checkLayout(out);
    Object[] parsed = featurizer.read(record);
    Labels.Resolved resolved = label == null ? null : Labels.resolve(label, record, state, classCount, true);
    featurizer.learn(parsed, state);
    Label result = resolved == null ? null : Labels.commit(resolved, state);
    rowsLearned++;
    featurizer.write(parsed, state, out);
    return result;
  }

  /**
   * Learns a training row's features (and its label when the pipeline has a label spec) without
   * writing a row.
   *
   * @throws BadRecordException if a field or the label is bad; nothing is learned then
   */
  public void learn(InputRecord record) {
    Object[] parsed = featurizer.read(record);
    Labels.Resolved resolved = label == null ? null : Labels.resolve(label, record, state, classCount, true);
    featurizer.learn(parsed, state);
    if (resolved != null) {
      Labels.commit(resolved, state);
    }
    rowsLearned++;
  }

  /**
   * Appends the row of {@code record} with what has been learned so far, learning nothing (a
   * hold-out row, or the "test" of test-then-train).
   *
   * @throws BadRecordException if a field is bad; nothing is written then
   */
  public void featurize(InputRecord record, SparseRows out) {
    checkLayout(out);
    featurizer.write(featurizer.read(record), state, out);
  }

  /**
   * The label of {@code record} among the classes learned so far, learning nothing.
   *
   * @throws BadRecordException if the label is missing, of a wrong type, or not a known class
   * @throws IllegalStateException if the pipeline has no label spec
   */
  public Label label(InputRecord record) {
    return Labels.commit(Labels.resolve(label, record, state, classCount, false), state);
  }

  /** An immutable snapshot of what has been learned, for a model version. */
  public FrozenPipeline freeze() {
    return new FrozenPipeline(featurizer, label, classCount, state.copy(), rowsLearned);
  }

  private void checkLayout(SparseRows out) {
    if (out.layout() != featurizer.layout && !out.layout().equals(featurizer.layout)) {
      throw new IllegalArgumentException("rows of layout " + out.layout() + " cannot take this pipeline's rows of " + featurizer.layout);
    }
  }
}
