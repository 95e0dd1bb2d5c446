package io.instructlake.jobs;

import com.google.gson.Gson;
import io.instructlake.export.HfLogits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/pipeline logits}: an HF model directory's logits for token ids, as JSON. */
@Command(
    name = "logits",
    mixinStandardHelpOptions = true,
    description = {
      "Print the logits this engine computes for an HF model directory (fp32, CPU) on the given"
          + " token ids, as JSON {\"ids\": [[...]], \"logits\": [[[...]]]}.",
      "For comparing an export with another runtime (python/verify-export.sh uses it)."
    })
final class LogitsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF model dir")
  Path model;

  @Option(
      names = "--ids",
      required = true,
      paramLabel = "ROWS",
      description = "rows of token ids of equal length, e.g. 1,2,3;4,5,6")
  String ids;

  @Option(names = "--out", paramLabel = "FILE", description = "write here instead of stdout")
  Path out;

  @Override
  public Integer call() throws Exception {
    long[][] rows;
    try {
      rows =
          Arrays.stream(ids.split(";"))
              .map(
                  r ->
                      Arrays.stream(r.split(","))
                          .map(String::strip)
                          .mapToLong(Long::parseLong)
                          .toArray())
              .toArray(long[][]::new);
    } catch (NumberFormatException e) {
      throw new ParameterException(
          spec.commandLine(), "--ids: expected rows like 1,2,3;4,5,6, got '" + ids + "'");
    }
    float[][][] logits;
    try {
      logits = HfLogits.of(model, rows);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--ids: " + e.getMessage());
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model.toString());
    json.put("ids", rows);
    json.put("logits", logits);
    String text = new Gson().toJson(json);
    if (out != null) {
      Files.writeString(out, text, StandardCharsets.UTF_8);
    } else {
      spec.commandLine().getOut().println(text);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
