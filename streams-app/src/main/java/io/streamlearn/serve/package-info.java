/**
 * The inference service: a Kafka Streams topology that follows a model alias on the registry
 * topic through a global store, swaps the served model atomically after decoding and checking
 * it, and writes one {@link io.streamlearn.schema.Prediction} naming its model version for every
 * input event. Built by the side-effect-free {@link io.streamlearn.serve.InferenceTopology#build}.
 */
package io.streamlearn.serve;
