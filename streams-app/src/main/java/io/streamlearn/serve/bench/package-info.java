/**
 * The inference benchmark ({@code streamlearn bench inference}) and its tools: versions with
 * random weights and a publisher that moves an alias the way the trainer does, also used by the
 * end-to-end tests.
 */
package io.streamlearn.serve.bench;
