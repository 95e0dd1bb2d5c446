package io.instructlake.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.train.Trainer;
import io.instructlake.train.TrainerOptions;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Training throughput of the engine against PyTorch eager on the identical architecture, in one
 * run: a ~30M-parameter Llama (hidden 512, 8 layers, 8 heads, 2 KV heads, SwiGLU 1376, vocab 8192,
 * untied head), batch 8 x 256, fp32, full fine-tuning with AdamW and clipping, 2 threads. Reports
 * tokens/s of both and their ratio, and the engine's achieved FLOP/s against the measured fp32
 * matmul peak (a 2048^3 matmul through DJL on the same threads).
 *
 * <p>Usage: {@code TrainBenchmark OUT.md [steps] [python] [script]}; defaults 2 timed steps (after
 * one warm-up), {@code /usr/bin/python3}, {@code benchmarks/torch_reference.py}. Writes OUT.md and
 * OUT.json.
 */
public final class TrainBenchmark {
  private TrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: TrainBenchmark OUT.md [steps] [python] [script]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    String python = args.length > 2 ? args[2] : "/usr/bin/python3";
    String script = args.length > 3 ? args[3] : "benchmarks/torch_reference.py";
    int threads = 2;
    System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");

    LlamaConfig c =
        LlamaConfig.builder()
            .setVocabSize(8192)
            .setHiddenSize(512)
            .setIntermediateSize(1376)
            .setNumLayers(8)
            .setNumHeads(8)
            .optNumKvHeads(2)
            .build();
    int b = 8;
    int t = 256;
    Random r = new Random(0);
    long[] ids = new long[b * t];
    long[] tgt = new long[b * t];
    long[] pos = new long[b * t];
    int[] seg = new int[b * t];
    float[] lm = new float[b * t];
    for (int i = 0; i < b * t; i++) {
      ids[i] = r.nextInt(8192);
      tgt[i] = r.nextInt(8192);
      pos[i] = i % t;
      seg[i] = 1;
      lm[i] = 1;
    }
    Batch batch = new Batch(b, t, ids, pos, seg, tgt, lm);

    double djlStep;
    double peak;
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel m = LlamaModel.create(c, nd, DataType.FLOAT32, 0);
        Trainer tr =
            new Trainer(
                m,
                TrainerOptions.builder()
                    .setTotalSteps(steps + 1)
                    .optLearningRate(1e-4)
                    .optWeightDecay(0.01)
                    .build())) {
      tr.computeGradients(batch);
      tr.applyUpdate(); // warm-up
      long t0 = System.nanoTime();
      for (int s = 0; s < steps; s++) {
        tr.computeGradients(batch);
        tr.applyUpdate();
      }
      djlStep = (System.nanoTime() - t0) / 1e9 / steps;
      peak = matmulPeak(nd);
    }
    double djlTps = b * t / djlStep;
    long params = c.parameterCount();
    long embed = (long) c.vocabSize() * c.hiddenSize();
    double flopsPerToken =
        6.0 * (params - embed) + 12.0 * c.numLayers() * t * c.hiddenSize(); // weights + attention
    double achieved = flopsPerToken * djlTps;

    JsonObject torch = runTorch(python, script, steps, threads);
    JsonObject res = new JsonObject();
    res.addProperty("params", params);
    res.addProperty("batch", b);
    res.addProperty("seq", t);
    res.addProperty("threads", threads);
    res.addProperty("timed_steps", steps);
    res.addProperty("djl_step_s", djlStep);
    res.addProperty("djl_tokens_per_s", djlTps);
    res.addProperty("flops_per_token", flopsPerToken);
    res.addProperty("djl_achieved_gflops", achieved / 1e9);
    res.addProperty("matmul_peak_gflops", peak / 1e9);
    res.addProperty("share_of_peak", achieved / peak);
    res.add("torch", torch);
    if (torch.has("tokens_per_s")) {
      res.addProperty("ratio_djl_over_torch", djlTps / torch.get("tokens_per_s").getAsDouble());
    }
    res.addProperty("djl_version", Engine.getDjlVersion());
    res.addProperty("java", System.getProperty("java.version"));
    res.addProperty("cores", Runtime.getRuntime().availableProcessors());

    StringBuilder md = new StringBuilder();
    md.append("# Train benchmark\n\n")
        .append(
            String.format(
                "Model: %d params (hidden 512, 8 layers, 8 heads, 2 KV heads, vocab 8192), ",
                params))
        .append(
            String.format(
                "batch %d x %d, fp32, %d threads, %d timed steps after 1 warm-up.%n%n",
                b, t, threads, steps))
        .append("| engine | step s | tokens/s |\n| --- | --- | --- |\n")
        .append(String.format("| DJL (this engine) | %.2f | %.0f |%n", djlStep, djlTps));
    if (torch.has("tokens_per_s")) {
      md.append(
              String.format(
                  "| PyTorch %s eager | %.2f | %.0f |%n%n",
                  torch.get("torch").getAsString(),
                  torch.get("step_s").getAsDouble(),
                  torch.get("tokens_per_s").getAsDouble()))
          .append(
              String.format(
                  "Ratio DJL / PyTorch tokens/s: **%.2f**%n%n",
                  res.get("ratio_djl_over_torch").getAsDouble()));
    } else {
      md.append("\nPyTorch baseline unavailable: ")
          .append(torch.get("error").getAsString())
          .append("\n\n");
    }
    md.append(
        String.format(
            "Achieved %.1f GFLOP/s (%.2e FLOP/token) vs measured fp32 matmul peak %.1f GFLOP/s: %.0f%%%n",
            achieved / 1e9, flopsPerToken, peak / 1e9, 100 * achieved / peak));
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(res);
    md.append("\n```json\n").append(json).append("\n```\n");
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    Files.writeString(out, md.toString());
    String name = out.getFileName().toString();
    Path jsonOut = out.resolveSibling(name.replaceFirst("\\.md$", "") + ".json");
    Files.writeString(jsonOut, json);
    System.out.print(md);
  }

  /** Best of 3 timings of a 2048x2048x2048 fp32 matmul (2 * 2048^3 FLOP). */
  static double matmulPeak(NDManager nd) {
    int n = 2048;
    try (NDManager m = nd.newSubManager()) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray bb = m.randomUniform(-1, 1, new Shape(n, n));
      a.matMul(bb).close(); // warm-up
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        NDArray c = a.matMul(bb);
        c.toFloatArray(); // force completion
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        c.close();
      }
      return 2.0 * n * n * n / best;
    }
  }

  static JsonObject runTorch(String python, String script, int steps, int threads) {
    JsonObject err = new JsonObject();
    try {
      Process p =
          new ProcessBuilder(
                  python,
                  script,
                  "--steps",
                  String.valueOf(steps),
                  "--threads",
                  String.valueOf(threads))
              .redirectErrorStream(true)
              .start();
      String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      String last = outText.strip();
      last = last.substring(last.lastIndexOf('\n') + 1);
      if (rc != 0 || !last.startsWith("{")) {
        err.addProperty("error", "exit " + rc + ": " + outText.strip().replace('\n', ' '));
        return err;
      }
      return JsonParser.parseString(last).getAsJsonObject();
    } catch (IOException e) {
      err.addProperty("error", e.getMessage());
      return err;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.addProperty("error", "interrupted");
      return err;
    }
  }
}
