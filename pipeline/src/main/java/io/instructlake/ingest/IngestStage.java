package io.instructlake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.PipelineException;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Reads raw corpus files into bronze records and quarantined bad units. Files are listed on the
 * driver (a file, a directory searched recursively, or a glob; any Hadoop file system) and each is
 * streamed by one task through {@link CorpusFileReader}; Parquet files go through Spark's reader
 * and the same {@link RecordParser}. A {@code dataset_info.json} in the input directory (or {@code
 * input.dataset-info}) supplies LLaMA-Factory column and tag mappings per file.
 *
 * <p>{@link #ingest} returns lazily computed kept/dropped datasets over one persisted intermediate;
 * call {@link Result#release()} after writing them.
 */
public final class IngestStage {
  public static final String STAGE = "ingest";
  public static final String DATASET_INFO = "dataset_info.json";

  /** Intermediate rows: one per record or bad unit, tagged by {@code kind}. */
  static final StructType UNIFIED =
      new StructType()
          .add("kind", DataTypes.StringType, false)
          .add(RecordSchema.RECORD_ID, DataTypes.StringType, true)
          .add(RecordSchema.SOURCE_FILE, DataTypes.StringType, true)
          .add(RecordSchema.SOURCE_LINE, DataTypes.LongType, true)
          .add(RecordSchema.SOURCE_FORMAT, DataTypes.StringType, true)
          .add(RecordSchema.SYSTEM, DataTypes.StringType, true)
          .add(RecordSchema.MESSAGES, RecordSchema.MESSAGE_ARRAY, true)
          .add(RecordSchema.TOOLS, DataTypes.StringType, true)
          .add(RecordSchema.PROMPT, DataTypes.StringType, true)
          .add(RecordSchema.RESPONSE, DataTypes.StringType, true)
          .add(RecordSchema.LABEL, DataTypes.StringType, true)
          .add(RecordSchema.CATEGORY, DataTypes.StringType, true)
          .add(Quarantine.REASON, DataTypes.StringType, true)
          .add(Quarantine.RAW, DataTypes.StringType, true)
          .add(Quarantine.DETAIL, DataTypes.StringType, true);

  private final IngestOptions options;

  public IngestStage(IngestOptions options) {
    this.options = options;
  }

  /** What ingest produced; kept and dropped share one persisted intermediate. */
  public static final class Result {
    private final StageOutput output;
    private final Dataset<Row> unified;
    private final long records;
    private final long bad;
    private final long blank;
    private final List<String> files;
    private final List<String> skipped;

    Result(
        StageOutput output,
        Dataset<Row> unified,
        long records,
        long bad,
        long blank,
        List<String> files,
        List<String> skipped) {
      this.output = output;
      this.unified = unified;
      this.records = records;
      this.bad = bad;
      this.blank = blank;
      this.files = files;
      this.skipped = skipped;
    }

    public StageOutput output() {
      return output;
    }

    /** Records parsed (kept rows). */
    public long records() {
      return records;
    }

    /** Bad units (quarantined rows). */
    public long bad() {
      return bad;
    }

    public long blankLines() {
      return blank;
    }

    public List<String> files() {
      return files;
    }

    /** Files in the input that are not corpus files (by name), left unread. */
    public List<String> skippedFiles() {
      return skipped;
    }

    public void release() {
      unified.unpersist();
    }
  }

  /**
   * Lists, reads and parses the input. Fails (before anything is written) when the input holds no
   * corpus file or when the share of bad units exceeds {@code ingest.max-bad-share}.
   */
  public Result ingest(SparkSession spark, String runId, Timestamp ingestTime) {
    String input = options.requireInput();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Listing listing = list(input, hadoop);
    if (listing.files().isEmpty()) {
      throw new PipelineException(
          "No corpus files at " + input,
          "found no .json, .jsonl, .txt or .parquet files (optionally .gz/.zst)"
              + (listing.skipped().isEmpty() ? "" : "; skipped " + listing.skipped()),
          "set input.path (or --input) to a corpus file, directory or glob");
    }
    return ingestFiles(
        spark, runId, ingestTime, listing.files().stream().map(InputFile::path).toList(), listing);
  }

  /**
   * Reads and parses exactly {@code files} (a subset of {@code listing}, e.g. the files a nightly
   * run has not processed yet); the listing supplies the dataset_info.json and skipped files.
   */
  public Result ingestFiles(
      SparkSession spark, String runId, Timestamp ingestTime, List<String> files, Listing listing) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> skipped = listing.skipped();
    String infoNextToInput = listing.datasetInfo();
    Map<String, DatasetMapping> byName = new HashMap<>();
    DatasetMapping single = mappings(hadoop, infoNextToInput, byName);

    List<String> textFiles = files.stream().filter(f -> !CorpusFileReader.isParquet(f)).toList();
    List<String> parquetFiles = files.stream().filter(CorpusFileReader::isParquet).toList();
    Dataset<Row> unified = spark.createDataFrame(List.of(), UNIFIED);
    FileTask task =
        new FileTask(
            options.parser(),
            options.format(),
            single,
            byName,
            options.maxRecordBytes(),
            options.quarantineKeepRaw() ? options.quarantineRawChars() : -1,
            new SerializableConfiguration(hadoop));
    if (!textFiles.isEmpty()) {
      JavaRDD<String> paths =
          JavaSparkContext.fromSparkContext(spark.sparkContext())
              .parallelize(textFiles, textFiles.size());
      unified = unified.union(spark.createDataFrame(paths.flatMap(task::readFile), UNIFIED));
    }
    if (!parquetFiles.isEmpty()) {
      Dataset<Row> pq = spark.read().parquet(parquetFiles.toArray(String[]::new));
      Column[] all =
          java.util.Arrays.stream(pq.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
      Dataset<Row> json =
          pq.select(
              to_json(struct(all)).as("json"),
              col("_metadata.file_path").as("file"),
              col("_metadata.row_index").as("row"));
      unified =
          unified.union(
              spark.createDataFrame(json.javaRDD().mapPartitions(task::parquetRows), UNIFIED));
    }
    unified = unified.persist(StorageLevel.MEMORY_AND_DISK());
    long records = 0;
    long bad = 0;
    long blank = 0;
    for (Row r : unified.groupBy("kind").count().collectAsList()) {
      switch (r.getString(0)) {
        case "ok" -> records = r.getLong(1);
        case "bad" -> bad = r.getLong(1);
        default -> blank = r.getLong(1);
      }
    }
    double share = records + bad == 0 ? 0.0 : (double) bad / (records + bad);
    if (share > options.maxBadShare()) {
      unified.unpersist();
      throw new PipelineException(
          "Ingest of " + options.inputPath() + " refused",
          String.format(
              java.util.Locale.ROOT,
              "%.1f%% of records are bad (%d of %d), above ingest.max-bad-share=%s",
              100 * share,
              bad,
              records + bad,
              options.maxBadShare()),
          "fix the input, or raise ingest.max-bad-share if this share is expected; the bad records"
              + " are described by --set ingest.max-bad-share=1 runs in the quarantine table");
    }
    Dataset<Row> kept =
        unified
            .where(col("kind").equalTo("ok"))
            .select(
                col(RecordSchema.RECORD_ID),
                col(RecordSchema.SOURCE_FILE),
                col(RecordSchema.SOURCE_LINE),
                col(RecordSchema.SOURCE_FORMAT),
                col(RecordSchema.SYSTEM),
                col(RecordSchema.MESSAGES),
                col(RecordSchema.TOOLS),
                col(RecordSchema.PROMPT),
                col(RecordSchema.RESPONSE),
                col(RecordSchema.LABEL),
                col(RecordSchema.CATEGORY),
                lit(runId).as(RecordSchema.INGEST_RUN_ID),
                lit(ingestTime).as(RecordSchema.INGEST_TIME));
    Dataset<Row> dropped =
        unified
            .where(col("kind").equalTo("bad"))
            .transform(
                d ->
                    Quarantine.rows(d)
                        .setStage(STAGE)
                        .setReason(col(Quarantine.REASON))
                        .optRunId(lit(runId))
                        .optRecordId(lit(null))
                        .optRaw(col(Quarantine.RAW))
                        .optDetail(col(Quarantine.DETAIL))
                        .build());
    StageOutput out =
        StageOutput.builder()
            .setStage(STAGE)
            .setKept(kept)
            .setDropped(dropped)
            .optCounter("files", files.size())
            .optCounter("blank_lines", blank)
            .build();
    return new Result(out, unified, records, bad, blank, List.copyOf(files), List.copyOf(skipped));
  }

  /** A corpus file found by {@link #list}: its qualified path, size and modification time. */
  public record InputFile(String path, long size, long modificationTime) {}

  /**
   * What {@link #list} found: corpus files (sorted by path), other files skipped, and the path of a
   * dataset_info.json in the input directory (or null).
   */
  public record Listing(List<InputFile> files, List<String> skipped, String datasetInfo) {}

  /**
   * Lists corpus files under {@code input} (a file, a directory searched recursively, or a glob;
   * any Hadoop file system). Hidden and marker files ({@code .x}, {@code _x}) are ignored.
   */
  public static Listing list(String input, Configuration hadoop) {
    List<InputFile> files = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    String info = listInto(input, hadoop, files, skipped);
    files.sort(java.util.Comparator.comparing(InputFile::path));
    return new Listing(List.copyOf(files), List.copyOf(skipped), info);
  }

  private static String listInto(
      String input, Configuration hadoop, List<InputFile> files, List<String> skipped) {
    try {
      Path p = new Path(input);
      FileSystem fs = p.getFileSystem(hadoop);
      String info = null;
      FileStatus[] matches;
      if (input.matches(".*[*?\\[{].*")) {
        matches = fs.globStatus(p);
      } else if (fs.exists(p)) {
        matches = new FileStatus[] {fs.getFileStatus(p)};
      } else {
        throw new PipelineException(
            "Cannot read corpus at " + input,
            "the path does not exist",
            "set input.path (or --input) to an existing file, directory or glob");
      }
      if (matches == null) {
        matches = new FileStatus[0];
      }
      for (FileStatus st : matches) {
        if (st.isDirectory()) {
          Path dinfo = new Path(st.getPath(), DATASET_INFO);
          if (fs.exists(dinfo)) {
            info = dinfo.toString();
          }
          RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
          while (it.hasNext()) {
            classify(it.next(), files, skipped);
          }
        } else {
          classify(st, files, skipped);
        }
      }
      return info;
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot list corpus at " + input,
          e.getMessage(),
          "check input.path and the file system credentials",
          e);
    }
  }

  private static void classify(FileStatus st, List<InputFile> files, List<String> skipped) {
    Path p = st.getPath();
    String name = p.getName();
    if (name.startsWith(".") || name.startsWith("_")) {
      return; // hidden and marker files (_SUCCESS, .crc)
    }
    if (name.equals(DATASET_INFO) || !CorpusFileReader.isCorpusFile(name)) {
      skipped.add(p.toString());
    } else {
      files.add(new InputFile(p.toString(), st.getLen(), st.getModificationTime()));
    }
  }

  private DatasetMapping mappings(
      Configuration hadoop, String infoNextToInput, Map<String, DatasetMapping> byName) {
    String info = options.datasetInfo().isBlank() ? infoNextToInput : options.datasetInfo();
    if (info == null) {
      return null;
    }
    Path p = new Path(info);
    try (InputStream in = p.getFileSystem(hadoop).open(p)) {
      if (!options.datasetName().isBlank()) {
        return DatasetMapping.readEntry(in, info, options.datasetName());
      }
      byName.putAll(DatasetMapping.readDatasetInfo(in, info));
      return null;
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read dataset_info " + info, e.getMessage(), "check input.dataset-info", e);
    }
  }

  /** The per-task work; serializable, holds no driver-only state. */
  static final class FileTask implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordParser parser;
    private final SourceFormat format;
    private final DatasetMapping single;
    private final Map<String, DatasetMapping> byName;
    private final long maxBytes;
    private final int rawChars;
    private final SerializableConfiguration hadoop;

    FileTask(
        RecordParser parser,
        SourceFormat format,
        DatasetMapping single,
        Map<String, DatasetMapping> byName,
        long maxBytes,
        int rawChars,
        SerializableConfiguration hadoop) {
      this.parser = parser;
      this.format = format;
      this.single = single;
      this.byName = new HashMap<>(byName);
      this.maxBytes = maxBytes;
      this.rawChars = rawChars;
      this.hadoop = hadoop;
    }

    DatasetMapping mappingFor(String file) {
      if (single != null) {
        return single;
      }
      String name = new Path(file).getName();
      DatasetMapping m = byName.get(name);
      return m != null ? m : DatasetMapping.defaults();
    }

    Iterator<Row> readFile(String file) {
      List<Row> out = new ArrayList<>();
      CorpusFileReader reader = new CorpusFileReader(parser, mappingFor(file), format, maxBytes);
      Path p = new Path(file);
      try (InputStream raw = p.getFileSystem(hadoop.value()).open(p);
          InputStream in = CorpusFileReader.decompress(raw, p.getName())) {
        reader.read(in, p.getName(), sink(file, out));
      } catch (IOException | RuntimeException e) {
        out.add(
            badRow(
                file,
                null,
                IngestReason.UNREADABLE_FILE,
                e.getClass().getSimpleName()
                    + ": "
                    + e.getMessage()
                    + (out.isEmpty() ? "" : " (after " + out.size() + " units)"),
                null));
      }
      return out.iterator();
    }

    Iterator<Row> parquetRows(Iterator<Row> rows) {
      List<Row> out = new ArrayList<>();
      while (rows.hasNext()) {
        Row r = rows.next();
        String file = r.getString(1);
        long line = r.getLong(2) + 1;
        CorpusFileReader.Sink sink = sink(file, out);
        String json = r.getString(0);
        try {
          JsonNode node = JSON.readTree(json);
          ParseOutcome o = parser.parse(node, mappingFor(file), SourceFormat.AUTO);
          if (o.isOk()) {
            for (ParsedRecord pr : o.records()) {
              out.add(okRow(pr, file, line, SourceFormat.PARQUET));
            }
          } else {
            sink.bad(o.reason(), o.detail(), line, json);
          }
        } catch (JsonProcessingException e) {
          sink.bad(IngestReason.MALFORMED_JSON, e.getOriginalMessage(), line, json);
        }
      }
      return out.iterator();
    }

    private CorpusFileReader.Sink sink(String file, List<Row> out) {
      return new CorpusFileReader.Sink() {
        @Override
        public void record(ParsedRecord record, long line) {
          out.add(okRow(record, file, line, null));
        }

        @Override
        public void bad(IngestReason reason, String detail, long line, String raw) {
          out.add(badRow(file, line, reason, detail, raw));
        }

        @Override
        public void blank(long line) {
          out.add(
              RowFactory.create(
                  "blank", null, file, line, null, null, null, null, null, null, null, null, null,
                  null, null));
        }
      };
    }

    private static Row okRow(ParsedRecord r, String file, long line, SourceFormat override) {
      List<Row> msgs = new ArrayList<>(r.messages().size());
      for (ParsedRecord.Message m : r.messages()) {
        msgs.add(RowFactory.create(m.role(), m.content()));
      }
      return RowFactory.create(
          "ok",
          RecordIds.of(r),
          file,
          line,
          (override != null ? override : r.format()).code(),
          r.system(),
          // Rows built by hand need Scala collections for array columns.
          scala.jdk.javaapi.CollectionConverters.asScala(msgs).toSeq(),
          r.tools(),
          r.prompt(),
          r.response(),
          r.label(),
          r.category(),
          null,
          null,
          null);
    }

    private Row badRow(String file, Long line, IngestReason reason, String detail, String raw) {
      String kept = rawChars < 0 || raw == null ? null : Quarantine.truncate(raw, rawChars);
      return RowFactory.create(
          "bad",
          null,
          file,
          line,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          reason.code(),
          kept,
          detail);
    }
  }
}
