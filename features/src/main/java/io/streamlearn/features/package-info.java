/**
 * Named inputs in, featurized rows out: the {@link io.streamlearn.features.FeatureSpec} a user
 * writes ({@code distance:numeric, origin:category(500), date:time("yyyy/MM/dd HH:mm", hour, weekday)}),
 * the {@link io.streamlearn.features.FeaturePipeline} that fits it online while the trainer sees
 * training rows, and the {@link io.streamlearn.features.FrozenPipeline} each model version carries,
 * so inference featurizes exactly as training did when the version was cut.
 *
 * <p>Raw records reach the pipeline as an {@link io.streamlearn.features.InputRecord} (values by
 * dotted path); {@link io.streamlearn.features.JsonRecordDecoder} makes one from JSON bytes with a
 * streaming parser, reading only the paths the spec names. Bad input is a typed
 * {@link io.streamlearn.features.BadRecordException} naming the field and the reason, for a dead
 * letter. The output is one row of the tensors module's {@code SparseRows} per record: a dense block
 * (numeric, boolean, time parts, arrays) and sparse fields (category, hash, tokens).
 *
 * <p>Depends on the tensors module and jackson-core only: no Kafka, no ND4J (the POM enforces it).
 */
package io.streamlearn.features;
