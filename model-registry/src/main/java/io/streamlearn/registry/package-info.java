/**
 * Model versions and the registry that holds them on the compacted {@code streamlearn.models}
 * topic.
 *
 * <p>A {@link io.streamlearn.registry.ModelVersion} is immutable and self-contained: metadata plus
 * named float tensors, with a SHA-256 checksum over the tensors. This package knows nothing of
 * ND4J; the learning engine converts its parameters to and from {@link
 * io.streamlearn.registry.NamedTensor}s. Keys on the registry topic are {@code name:version} for a
 * version and {@code name@alias} for an alias ({@link io.streamlearn.registry.RegistryKey}).
 */
package io.streamlearn.registry;
