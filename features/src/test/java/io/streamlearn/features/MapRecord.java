package io.streamlearn.features;

import java.util.HashMap;
import java.util.Map;

/** A test record: values by path, given as alternating paths and values. */
record MapRecord(Map<String, Object> values) implements InputRecord {

  static MapRecord of(Object... pathsAndValues) {
    Map<String, Object> values = new HashMap<>();
    for (int i = 0; i < pathsAndValues.length; i += 2) {
      values.put((String) pathsAndValues[i], pathsAndValues[i + 1]);
    }
    return new MapRecord(values);
  }

  @Override
  public Object value(String path) {
    return values.get(path);
  }
}
