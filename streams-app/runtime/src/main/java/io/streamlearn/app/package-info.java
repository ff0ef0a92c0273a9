/**
 * The glue between the learning engine ({@code io.streamlearn.learn}, tensors in ND4J) and the
 * registry ({@code io.streamlearn.registry}, tensors as bytes): converting parameters to model
 * versions and back, and the Kafka plumbing both apps share (topic creation, client properties).
 */
package io.streamlearn.app;
