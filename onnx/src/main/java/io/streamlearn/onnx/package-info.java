/**
 * ONNX export and import of model versions: {@link io.streamlearn.onnx.OnnxExporter} writes a
 * version's inference graph as a standard ONNX model, {@link io.streamlearn.onnx.OnnxImporter}
 * reads a graph of supported operators (e.g. from PyTorch's {@code torch.onnx.export}) back into a
 * version ({@link io.streamlearn.onnx.OnnxImport}).
 *
 * <p>Why a module of its own: the registry ({@code streamlearn-model-registry}) must not depend on
 * the engine's ND4J, and the ONNX side checks and names layers and activations as the engine does
 * ({@code streamlearn-learn}). The protobuf encoding is hand-written ({@code ProtoWriter},
 * {@code ProtoReader}, {@code OnnxCodec}) for the dozen messages of {@code onnx.proto} an
 * inference graph needs: no protoc step, no protobuf or ONNX library at run time.
 *
 * <p>A feature pipeline (categorical vocabularies, hashing), where a version carries one, travels
 * as a JSON sidecar next to the {@code .onnx} ({@link io.streamlearn.onnx.OnnxExporter.Export#sidecar()});
 * the graph starts at the featurized vector (dense columns, then each sparse field's slots
 * one-hot). A network that starts with {@code embedding(dim)} is exported over that row as a
 * {@code Slice} of the dense columns and, per sparse field, a {@code Slice} of its slots and a
 * {@code MatMul} by its rows of the table, joined by a {@code Concat}; the field sizes come from
 * the pipeline's {@code FeatureLayout} (the reason this module reads {@code streamlearn-features}),
 * or are given to {@code OnnxExporter.export(version, float16, layout)}.
 */
package io.streamlearn.onnx;
