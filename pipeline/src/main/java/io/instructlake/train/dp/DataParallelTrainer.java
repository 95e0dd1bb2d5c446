package io.instructlake.train.dp;

import io.instructlake.PipelineException;
import io.instructlake.config.ConfigReader;
import io.instructlake.train.TrainSettings;
import io.instructlake.train.data.TokenizerBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Driver side of data-parallel training: deals the input rows to W ranks, builds the tokenizer
 * once, runs the barrier stage (behind a shuffle, so a failed task resubmits the whole stage and
 * the ranks resume from the newest checkpoint) and returns every rank's per-step metrics.
 *
 * <pre>
 *   DataParallelTrainer.Result r = DataParallelTrainer.builder()
 *       .setTrainConfig(config.section("train"))   // train.* incl. workers, allreduce.*
 *       .setOutputDir(dir)                          // tokenizer.json, checkpoints/
 *       .build()
 *       .train(spark, inputRows);
 * </pre>
 *
 * <p>The input needs {@code prompt}/{@code response} or {@code messages} columns (the bronze record
 * schema); rows are taken in {@code record_id} order when that column exists, and row {@code i}
 * goes to rank {@code i mod W}. Checkpoints go to {@code outputDir/checkpoints}, which must then be
 * reachable from every executor (one machine, a shared mount), or to {@link
 * Builder#optCheckpointUri} (e.g. the lake on {@code s3a://}).
 */
public final class DataParallelTrainer {
  private final TrainSettings settings;
  private final DpSettings dp;
  private final Path outputDir;
  private final String checkpointUri;
  private final PrintStream progress;
  private final long faultStep;
  private final Path faultDir;
  private final long jitterSeed;

  /** What a run produced. */
  /**
   * What a run produced; {@code progressLines} counts the live progress lines printed (0 without
   * {@link Builder#optProgress} or when rank 0 could not reach the driver).
   */
  public record Result(
      Path tokenizer, Path checkpoints, List<DpMetric> metrics, long progressLines) {}

  private DataParallelTrainer(Builder b) {
    this.settings = b.settings;
    this.dp = b.dp;
    this.outputDir = b.outputDir;
    this.checkpointUri = b.checkpointUri;
    this.progress = b.progress;
    this.faultStep = b.faultStep;
    this.faultDir = b.faultDir;
    this.jitterSeed = b.jitterSeed;
  }

  public static Builder builder() {
    return new Builder();
  }

  public DpSettings dpSettings() {
    return dp;
  }

  public TrainSettings settings() {
    return settings;
  }

  /** Trains on {@code input} with W = {@code train.workers} tasks; blocks until done. */
  public Result train(SparkSession spark, Dataset<Row> input) {
    JavaRDD<DpExample> examples = examples(input, settings.maxExamples());
    Path tokenizer = tokenizer(examples);
    String tokJson;
    try {
      tokJson = Files.readString(tokenizer);
    } catch (IOException e) {
      throw new PipelineException("Cannot read " + tokenizer, e.toString(), "", e);
    }
    ProgressServer progressServer = startProgress(spark);
    if (progressServer == null) {
      return train(spark, examples, tokenizer, tokJson, "");
    }
    Result r;
    try {
      r = train(spark, examples, tokenizer, tokJson, progressServer.address());
    } finally {
      progressServer.close(); // drains the last lines rank 0 sent before its task ended
    }
    return new Result(r.tokenizer(), r.checkpoints(), r.metrics(), progressServer.lines());
  }

  private ProgressServer startProgress(SparkSession spark) {
    if (progress == null) {
      return null;
    }
    String host = spark.sparkContext().getConf().get("spark.driver.host", "127.0.0.1");
    try {
      return ProgressServer.start(host, progress);
    } catch (IOException e) {
      progress.println("train-dp: no live progress (cannot listen on " + host + ": " + e + ")");
      return null;
    }
  }

  private Result train(
      SparkSession spark,
      JavaRDD<DpExample> examples,
      Path tokenizer,
      String tokJson,
      String progressAddress) {
    int w = dp.workers();
    Path ckpt = outputDir.resolve("checkpoints");
    CheckpointStore store =
        checkpointUri == null
            ? CheckpointStore.local(ckpt)
            : CheckpointStore.at(checkpointUri, spark.sparkContext().hadoopConfiguration());
    DpSpec spec =
        new DpSpec(
            settings.source(),
            tokJson,
            store,
            dp,
            faultStep,
            faultDir == null ? "" : faultDir.toAbsolutePath().toString(),
            progressAddress,
            examples.count(),
            new java.security.SecureRandom().nextLong(),
            jitterSeed);
    JavaPairRDD<Integer, DpExample> keyed =
        examples.mapToPair(e -> new Tuple2<>((int) (e.index() % w), e));
    JavaRDD<DpExample> dealt = keyed.partitionBy(new HashPartitioner(w)).values();
    ClassTag<DpMetric> tag = ClassTag$.MODULE$.apply(DpMetric.class);
    JavaRDD<DpMetric> barrier =
        JavaRDD.fromRDD(dealt.rdd().barrier().mapPartitions(new Task(spec), false, tag), tag);
    // A shuffle after the barrier stage: its failure then resubmits the stage instead of failing
    // the job (a barrier ResultStage cannot be retried).
    List<DpMetric> metrics = new ArrayList<>(barrier.repartition(1).collect());
    int maxAttempt = metrics.stream().mapToInt(DpMetric::stageAttempt).max().orElse(0);
    metrics.removeIf(m -> m.stageAttempt() != maxAttempt);
    if (!store.isLocal()) {
      // The export reads the final weights locally: fetch the newest committed checkpoint.
      store.latest(ckpt);
    }
    return new Result(tokenizer, ckpt, metrics, 0);
  }

  /** Input rows as examples numbered in input order (record_id order when present). */
  static JavaRDD<DpExample> examples(Dataset<Row> df, int max) {
    List<String> cols = Arrays.asList(df.columns());
    boolean hasPair = cols.contains("prompt") && cols.contains("response");
    boolean hasMessages = cols.contains("messages");
    if (!hasPair && !hasMessages) {
      throw new PipelineException(
          "Cannot train",
          "the input has neither prompt/response nor messages columns (has " + cols + ")",
          "point train.input-table at a table with the bronze record schema");
    }
    List<Column> sel = new ArrayList<>();
    sel.add(cols.contains("system") ? functions.col("system") : nullString("system"));
    sel.add(hasPair ? functions.col("prompt") : nullString("prompt"));
    sel.add(hasPair ? functions.col("response") : nullString("response"));
    sel.add(
        hasMessages
            ? functions.col("messages")
            : functions.lit(null).cast("array<struct<role:string,content:string>>").as("m"));
    Dataset<Row> d = cols.contains("record_id") ? df.orderBy("record_id") : df;
    d = d.select(sel.toArray(new Column[0]));
    if (max > 0) {
      d = d.limit(max);
    }
    return d.toJavaRDD()
        .zipWithIndex()
        .map(t -> toExample(t._1(), t._2()))
        .filter(Objects::nonNull);
  }

  private static Column nullString(String name) {
    return functions.lit(null).cast("string").as(name);
  }

  /** One input row as an example; null when it has no assistant turn. */
  static DpExample toExample(Row r, long index) {
    List<String> roles = new ArrayList<>();
    List<String> contents = new ArrayList<>();
    if (!r.isNullAt(3)) {
      for (Object o : r.getList(3)) {
        Row m = (Row) o;
        String role = m.getString(m.fieldIndex("role"));
        String content = m.getString(m.fieldIndex("content"));
        if (role != null && content != null) {
          roles.add(role);
          contents.add(content);
        }
      }
    }
    if (!roles.contains("assistant")) {
      roles.clear();
      contents.clear();
      String p = r.getString(1);
      String a = r.getString(2);
      if (p == null || a == null || a.isEmpty()) {
        return null;
      }
      roles.add("user");
      contents.add(p);
      roles.add("assistant");
      contents.add(a);
    }
    return new DpExample(
        index, r.getString(0), roles.toArray(new String[0]), contents.toArray(new String[0]));
  }

  private Path tokenizer(JavaRDD<DpExample> examples) {
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new PipelineException("Cannot create " + outputDir, e.toString(), "", e);
    }
    if (!settings.tokenizer().isEmpty()) {
      return Path.of(settings.tokenizer());
    }
    if (!"random".equals(settings.baseModel())) {
      Path t = Path.of(settings.baseModel()).resolve("tokenizer.json");
      if (Files.exists(t)) {
        return t;
      }
    }
    // Texts stream to the driver partition by partition (never the whole table at once).
    Iterator<DpExample> it = examples.toLocalIterator();
    Iterable<String> texts =
        () ->
            new Iterator<>() {
              private final List<String> buf = new ArrayList<>();

              @Override
              public boolean hasNext() {
                while (buf.isEmpty() && it.hasNext()) {
                  DpExample e = it.next();
                  buf.add(e.system());
                  buf.addAll(Arrays.asList(e.contents()));
                }
                return !buf.isEmpty();
              }

              @Override
              public String next() {
                hasNext();
                return buf.remove(0);
              }
            };
    Path t = outputDir.resolve("tokenizer.json");
    TokenizerBuilder.write(texts, settings.vocabSize(), t);
    return t;
  }

  /** The barrier task function (a named class: Spark serializes it into the task). */
  private static final class Task
      extends AbstractFunction1<
          scala.collection.Iterator<DpExample>, scala.collection.Iterator<DpMetric>>
      implements java.io.Serializable {
    private final DpSpec spec;

    Task(DpSpec spec) {
      this.spec = spec;
    }

    @Override
    public scala.collection.Iterator<DpMetric> apply(scala.collection.Iterator<DpExample> rows) {
      return CollectionConverters.asScala(DpWorker.run(spec, CollectionConverters.asJava(rows)));
    }
  }

  /** Builder: setX required, optX optional. */
  public static final class Builder {
    private TrainSettings settings;
    private DpSettings dp;
    private Path outputDir;
    private String checkpointUri;
    private PrintStream progress;
    private Integer workers;
    private long faultStep;
    private Path faultDir;
    private long jitterSeed;

    private Builder() {}

    /**
     * The {@code train} section (settings of the engine plus {@code workers}, {@code allreduce}).
     */
    public Builder setTrainConfig(ConfigReader train) {
      return setSettings(TrainSettings.from(train), DpSettings.from(train));
    }

    /**
     * The {@code train} section already read (a job parses its configuration once); the tasks read
     * {@link TrainSettings#source()} again on their executors.
     */
    public Builder setSettings(TrainSettings settings, DpSettings dp) {
      this.settings = settings;
      this.dp = dp;
      return this;
    }

    /** Where tokenizer.json and checkpoints/ go (reachable from every executor). */
    public Builder setOutputDir(Path dir) {
      this.outputDir = dir;
      return this;
    }

    /**
     * Where checkpoints go when not {@code outputDir/checkpoints}: a directory every executor
     * reaches, or a Hadoop URI such as {@code s3a://bucket/lake/_state/models/<run>/checkpoints}
     * (see {@link CheckpointStore}); the newest is then also fetched into {@code
     * outputDir/checkpoints} after training, for the export.
     */
    public Builder optCheckpointUri(String uri) {
      this.checkpointUri = uri;
      return this;
    }

    /**
     * Prints rank 0's progress line (step, global loss, learning rate, tokens/s over all ranks,
     * ETA) to {@code out} while training, every {@code train.log-every} steps (default: none).
     */
    public Builder optProgress(PrintStream out) {
      this.progress = out;
      return this;
    }

    /** Overrides {@code train.workers}. */
    public Builder optWorkers(int workers) {
      this.workers = workers;
      return this;
    }

    /**
     * Test hook (default off): after step {@code step} of the first stage attempt, the last rank
     * writes its executor's pid to {@code dir/pid} and waits to be killed.
     */
    public Builder optFaultInjection(long step, Path dir) {
      this.faultStep = step;
      this.faultDir = dir;
      return this;
    }

    /**
     * Test hook (default 0 = off): every rank pauses at random points of its gradient gathering and
     * all-reduce transport (seeded by {@code seed} and its rank), with short socket reads and
     * writes. The trained parameters must be the same bits as without it.
     */
    public Builder optTimingJitter(long seed) {
      this.jitterSeed = seed;
      return this;
    }

    public DataParallelTrainer build() {
      if (settings == null) {
        throw new IllegalStateException("setTrainConfig or setSettings is required");
      }
      if (outputDir == null) {
        throw new IllegalStateException("setOutputDir is required");
      }
      if (workers != null) {
        if (workers < 1) {
          throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        dp = new DpSettings(workers, dp.bucketBytes(), dp.timeout(), dp.wire());
      }
      if (faultStep > 0 && faultDir == null) {
        throw new IllegalArgumentException("fault injection needs a directory");
      }
      return new DataParallelTrainer(this);
    }
  }
}
