package io.instructlake.train;

import io.instructlake.PipelineException;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import java.util.Arrays;
import java.util.List;

/** Which lake table a training run reads (both the single worker and data-parallel training). */
public final class TrainInput {
  private TrainInput() {}

  /**
   * {@code train.input-table}, or with {@code auto} the first existing of gold.train,
   * silver.records, silver.cleaned, bronze.records.
   */
  public static LakeTable table(Lake lake, TrainSettings s) {
    List<String> names =
        s.inputTable().equals("auto") ? TrainSettings.TABLE_ORDER : List.of(s.inputTable());
    for (String n : names) {
      LakeTable t =
          Arrays.stream(LakeTable.values())
              .filter(x -> x.sqlName().equals(n))
              .findFirst()
              .orElseThrow();
      if (lake.exists(t)) {
        return t;
      }
    }
    throw new PipelineException(
        "Cannot train",
        "no input table: " + String.join(", ", names) + " do(es) not exist in " + lake.root(),
        "run the data stages first (e.g. bin/pipeline demo) or set train.input-table");
  }
}
