package io.instructlake.lake;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one job (or one step of a job, such as the nightly quality gates) reports beyond its stage
 * counts: output paths, chosen parameters, versions read. Each job returns a small record
 * implementing this interface (Apache Iceberg's action {@code Result} is the model), so callers
 * read typed values ({@code summary.result(TrainResult.class).orElseThrow().finalLoss()}) instead
 * of string keys.
 *
 * <p>The run summary renders every result into its {@code details} object (the JSON that {@code
 * --summary} writes, the {@code runs} table keeps and the console prints) as {@code
 * <prefix>.<component in snake_case>}, e.g. {@code train.final_loss}; null components are left out.
 * Values must be JSON-ready: strings, numbers, booleans, lists and maps of those.
 */
public interface JobResult {
  /** The key prefix in the summary's details, e.g. {@code train}. */
  String prefix();

  /**
   * The result as {@code <prefix>.<name>} entries. The default reads a record's components in
   * declaration order; a result that is not a record overrides it.
   */
  default Map<String, Object> details() {
    if (!getClass().isRecord()) {
      throw new IllegalStateException(
          getClass().getName() + " is not a record: override JobResult.details()");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : getClass().getRecordComponents()) {
      Object v;
      try {
        java.lang.reflect.Method accessor = c.getAccessor();
        accessor.setAccessible(true); // a result record may be package-private
        v = accessor.invoke(this);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c.getName() + " of " + this, e);
      }
      if (v != null) {
        out.put(prefix() + "." + snakeCase(c.getName()), v);
      }
    }
    return out;
  }

  /** {@code finalLoss} to {@code final_loss}. */
  static String snakeCase(String camel) {
    StringBuilder b = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char ch = camel.charAt(i);
      if (Character.isUpperCase(ch)) {
        b.append('_').append(Character.toLowerCase(ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
