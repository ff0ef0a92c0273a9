/**
 * Readers for on-disk data sets used by benchmarks and the demo: the IDX format of (Fashion-)MNIST,
 * plain or gzipped, as installed by Debian's {@code dataset-fashion-mnist} package under
 * {@value io.streamlearn.data.FashionMnist#DEFAULT_DIR}; and where {@code bin/fetch-data} put the
 * Flights data set ({@link io.streamlearn.data.FlightsData}).
 */
package io.streamlearn.data;
