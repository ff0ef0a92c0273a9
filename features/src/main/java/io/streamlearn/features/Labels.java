package io.streamlearn.features;

/** Reading a record's label against a pipeline's classes, shared by the mutable and the frozen pipeline. */
final class Labels {

  private Labels() {}

  /** What a record's label resolves to before anything is learned: a class (or -1 when new), its key, or a target. */
  record Resolved(int classIndex, String key, double target) {}

  /**
   * Resolves the label of {@code record}.
   *
   * @param mayAdd whether a new class may be added (training); else a new class is a bad record
   * @throws BadRecordException when the label is missing, of a wrong type, or beyond the classes
   */
  static Resolved resolve(LabelSpec spec, InputRecord record, PipelineState state, int classCount, boolean mayAdd) {
    if (spec == null) {
      throw new IllegalStateException("this pipeline has no label spec (--label-field)");
    }
    String path = spec.path();
    Object value = record.value(path);
    if (value == null) {
      throw new BadRecordException(path, "missing label");
    }
    if (spec instanceof LabelSpec.Regression) {
      double target = Values.number(value, path);
      if (!Double.isFinite(target)) {
        throw new BadRecordException(path, "label must be a finite number, found " + target);
      }
      return new Resolved(-1, null, target);
    }
    if (spec instanceof LabelSpec.Threshold threshold) {
      double x = Values.number(value, path);
      if (Double.isNaN(x)) {
        throw new BadRecordException(path, "label must be a number, found NaN");
      }
      int index = threshold.test(x) ? 1 : 0;
      return new Resolved(index, index == 1 ? "true" : "false", index);
    }
    String key = Values.key(value, path);
    int index = state.classOf(key);
    if (index < 0) {
      if (!mayAdd) {
        throw new BadRecordException(path, "unknown label " + key + ": not among the classes " + state.classes());
      }
      if (state.classes().size() >= classCount) {
        throw new BadRecordException(path, "unknown label " + key + ": the model has " + classCount
            + " classes, all taken by " + state.classes());
      }
    }
    return new Resolved(index, key, index);
  }

  /** Commits a resolved label (adding its class when new) and returns it. */
  static Label commit(Resolved resolved, PipelineState state) {
    if (resolved.classIndex() >= 0) {
      return new Label(resolved.classIndex(), resolved.classIndex());
    }
    if (resolved.key() == null) {
      return new Label(-1, resolved.target());
    }
    int index = state.addClass(resolved.key());
    return new Label(index, index);
  }
}
