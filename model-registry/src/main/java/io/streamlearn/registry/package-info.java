/**
 * Model versions and the registry that holds them on the compacted {@code streamlearn.models}
 * topic.
 *
 * <p>A {@link io.streamlearn.registry.ModelVersion} is immutable and self-contained: metadata plus
 * named tensors (float32, or float16 in an inference export), with a SHA-256 checksum over the
 * tensors. This package knows nothing of ND4J: its tensors and preprocessing are the types of the
 * Kafka-free, ND4J-free {@code io.streamlearn.tensor} module, which the learning engine uses too, so
 * a learner's parameters go into a version, and a version's into a model, as they are.
 *
 * <p>Keys on the registry topic ({@link io.streamlearn.registry.RegistryKey}): {@code name:version}
 * for a version, {@code name:version#chunk-<i>} for the chunks of a version larger than a record
 * ({@link io.streamlearn.registry.Chunks}), {@code name@alias} for where an alias points now, and
 * {@code name@alias#change-<millis>-<version>} for each change of an alias. Compaction keeps the
 * latest value per key: the alias key keeps only the current target, so its history lives under
 * change keys that no later change reuses. Deletions (retention, alias removal) are tombstones.
 *
 * <p>{@link io.streamlearn.registry.KafkaRegistry} materializes the topic on read into a {@link
 * io.streamlearn.registry.RegistryState} and writes in Kafka transactions; {@link
 * io.streamlearn.registry.RegistryCodec} is the artifact format with its checks.
 */
package io.streamlearn.registry;
