/**
 * Readers for on-disk data sets used by benchmarks and the demo: the IDX format of (Fashion-)MNIST,
 * plain or gzipped, as installed by Debian's {@code dataset-fashion-mnist} package under
 * {@value io.streamlearn.data.FashionMnist#DEFAULT_DIR}.
 */
package io.streamlearn.data;
