package io.streamlearn.features;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.streamlearn.tensor.FeatureLayout;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON text form of a {@link FrozenPipeline}, format 1:
 *
 * <pre>
 * {"format": 1, "spec": "distance:numeric, origin:category(500)", "label": "delay>15", "classCount": 2,
 *  "classes": ["false", "true"], "rowsLearned": 20000,
 *  "fields": {"distance": {"count": 20000, "mean": 700.1, "m2": 1.2E10}, "origin": {"vocabulary": ["DTW", ...]}},
 *  "layout": {"denseWidth": 2, "sparse": [{"name": "origin", "size": 501}]}}
 * </pre>
 *
 * Doubles are written in shortest round-trip form, so a parsed pipeline featurizes bit for bit as
 * the written one. The layout is redundant (the spec fixes it) and is checked on reading, so a
 * reader that computes layouts differently fails loudly instead of scoring with shifted columns.
 */
final class PipelineJson {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private PipelineJson() {}

  static String write(FrozenPipeline pipeline) {
    StringWriter text = new StringWriter();
    Featurizer featurizer = pipeline.featurizer();
    PipelineState state = pipeline.state();
    try (JsonGenerator json = FACTORY.createGenerator(text)) {
      json.writeStartObject();
      json.writeNumberField("format", FrozenPipeline.FORMAT);
      json.writeStringField("spec", featurizer.spec.text());
      if (pipeline.labelSpec() != null) {
        json.writeStringField("label", pipeline.labelSpec().text());
      } else {
        json.writeNullField("label");
      }
      json.writeNumberField("classCount", pipeline.classCount());
      json.writeArrayFieldStart("classes");
      for (String name : state.classes()) {
        json.writeString(name);
      }
      json.writeEndArray();
      json.writeNumberField("rowsLearned", pipeline.rowsLearned());
      json.writeObjectFieldStart("fields");
      for (int f = 0; f < featurizer.fields(); f++) {
        Featurizer.Kind kind = Featurizer.kindOf(featurizer.transform(f));
        if (kind == Featurizer.Kind.NUMERIC) {
          json.writeObjectFieldStart(featurizer.path(f));
          json.writeNumberField("count", state.count[f]);
          json.writeNumberField("mean", state.mean[f]);
          json.writeNumberField("m2", state.m2[f]);
          json.writeEndObject();
        } else if (kind == Featurizer.Kind.CATEGORY) {
          json.writeObjectFieldStart(featurizer.path(f));
          json.writeArrayFieldStart("vocabulary");
          for (String value : state.vocabularyList(f)) {
            json.writeString(value);
          }
          json.writeEndArray();
          json.writeEndObject();
        }
      }
      json.writeEndObject();
      json.writeObjectFieldStart("layout");
      json.writeNumberField("denseWidth", featurizer.layout.denseWidth());
      json.writeArrayFieldStart("sparse");
      for (FeatureLayout.SparseField field : featurizer.layout.sparseFields()) {
        json.writeStartObject();
        json.writeStringField("name", field.name());
        json.writeNumberField("size", field.size());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string cannot fail", e);
    }
    return text.toString();
  }

  static FrozenPipeline read(String text) {
    if (text == null) {
      throw new IllegalArgumentException("pipeline JSON must not be null");
    }
    Map<String, Object> root;
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("pipeline JSON must be an object");
      }
      root = object(parser);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("pipeline JSON does not parse: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long format = number(root, "format").longValue();
    if (format != FrozenPipeline.FORMAT) {
      throw new IllegalArgumentException("pipeline JSON format " + format + " is not supported (this reader knows " + FrozenPipeline.FORMAT + ")");
    }
    Featurizer featurizer = new Featurizer(FeatureSpec.parse(string(root, "spec")));
    Object labelText = root.get("label");
    LabelSpec label = labelText == null ? null : LabelSpec.parse((String) labelText);
    int classCount = number(root, "classCount").intValue();
    PipelineState state = new PipelineState(featurizer.fields());
    for (Object name : list(root, "classes")) {
      state.addClass((String) name);
    }
    Map<String, Object> fields = map(root, "fields");
    for (int f = 0; f < featurizer.fields(); f++) {
      Featurizer.Kind kind = Featurizer.kindOf(featurizer.transform(f));
      if (kind != Featurizer.Kind.NUMERIC && kind != Featurizer.Kind.CATEGORY) {
        continue;
      }
      Map<String, Object> field = map(fields, featurizer.path(f));
      if (kind == Featurizer.Kind.NUMERIC) {
        state.setStats(f, number(field, "count").longValue(), number(field, "mean").doubleValue(),
            number(field, "m2").doubleValue());
      } else {
        int capacity = ((Transform.Category) featurizer.transform(f)).capacity();
        List<Object> vocabulary = list(field, "vocabulary");
        if (vocabulary.size() > capacity) {
          throw new IllegalArgumentException("pipeline JSON: field " + featurizer.path(f) + " has " + vocabulary.size()
              + " values for " + capacity + " slots");
        }
        for (Object value : vocabulary) {
          state.admit(f, (String) value, capacity);
        }
      }
    }
    Map<String, Object> layout = map(root, "layout");
    List<FeatureLayout.SparseField> sparse = new ArrayList<>();
    for (Object entry : list(layout, "sparse")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> field = (Map<String, Object>) entry;
      sparse.add(new FeatureLayout.SparseField(string(field, "name"), number(field, "size").intValue()));
    }
    FeatureLayout written = new FeatureLayout(number(layout, "denseWidth").intValue(), sparse);
    if (!written.equals(featurizer.layout)) {
      throw new IllegalArgumentException("pipeline JSON layout " + written + " is not the spec's layout " + featurizer.layout);
    }
    return new FrozenPipeline(featurizer, label, classCount, state, number(root, "rowsLearned").longValue());
  }

  private static Map<String, Object> object(JsonParser parser) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      map.put(name, value(parser, parser.nextToken()));
    }
    return map;
  }

  private static Object value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT:
        return object(parser);
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
          list.add(value(parser, element));
        }
        return list;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
      case VALUE_FALSE:
        return parser.getBooleanValue();
      case VALUE_NULL:
        return null;
      default:
        throw new IllegalArgumentException("pipeline JSON: unexpected " + token);
    }
  }

  private static Object member(Map<String, Object> map, String name) {
    Object value = map.get(name);
    if (value == null) {
      throw new IllegalArgumentException("pipeline JSON lacks \"" + name + "\"");
    }
    return value;
  }

  private static Number number(Map<String, Object> map, String name) {
    if (member(map, name) instanceof Number number) {
      return number;
    }
    throw new IllegalArgumentException("pipeline JSON: \"" + name + "\" must be a number");
  }

  private static String string(Map<String, Object> map, String name) {
    if (member(map, name) instanceof String text) {
      return text;
    }
    throw new IllegalArgumentException("pipeline JSON: \"" + name + "\" must be a string");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> map, String name) {
    if (member(map, name) instanceof List<?> list) {
      return (List<Object>) list;
    }
    throw new IllegalArgumentException("pipeline JSON: \"" + name + "\" must be an array");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> map, String name) {
    if (member(map, name) instanceof Map<?, ?> inner) {
      return (Map<String, Object>) inner;
    }
    throw new IllegalArgumentException("pipeline JSON: \"" + name + "\" must be an object");
  }
}
