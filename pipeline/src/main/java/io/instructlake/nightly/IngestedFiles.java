package io.instructlake.nightly;

import static org.apache.spark.sql.functions.col;

import io.instructlake.PipelineException;
import io.instructlake.ingest.IngestStage.InputFile;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

/**
 * The exactly-once state of the nightly job: the {@code ingested_files} Delta table, one row per
 * raw file a committed nightly run has seen, with its size, modification time and SHA-256.
 *
 * <p>A listed file is <em>new</em> unless a row has the same path, size and modification time (the
 * cheap check, no read). New files are checksummed (one Spark task per file, streamed); a new file
 * whose checksum is already in the table (a re-upload or a copy under another name) is recorded as
 * {@code duplicate_content} and not ingested again. A rewritten file (same path, other size or
 * time) is ingested as new content; its records are deduplicated against history like any others.
 *
 * <p>The table is written in the same run as the data and rolled back with it, so "processed" can
 * never disagree with what the tables hold. This is why the job keeps its own table rather than
 * Structured Streaming's file-source checkpoint: a checkpoint lives outside Delta, is not restored
 * by RESTORE, and would have to be kept consistent with the tables by hand.
 */
public final class IngestedFiles {
  public static final String PATH = "path";
  public static final String SIZE = "size";
  public static final String MODIFIED = "modification_time";
  public static final String SHA256 = "sha256";
  public static final String STATUS = "status";
  public static final String DUPLICATE_OF = "duplicate_of";
  public static final String RUN_ID = "run_id";
  public static final String INGESTED_AT = "ingested_at";

  /** The file's records went to bronze in this run. */
  public static final String INGESTED = "ingested";

  /** The file's bytes equal an already ingested file's; nothing was read from it. */
  public static final String DUPLICATE_CONTENT = "duplicate_content";

  public static final StructType SCHEMA =
      new StructType()
          .add(PATH, DataTypes.StringType, false)
          .add(SIZE, DataTypes.LongType, false)
          .add(MODIFIED, DataTypes.LongType, false)
          .add(SHA256, DataTypes.StringType, false)
          .add(STATUS, DataTypes.StringType, false)
          .add(DUPLICATE_OF, DataTypes.StringType, true)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(INGESTED_AT, DataTypes.TimestampType, false);

  /** A new file with its checksum. */
  public record Checked(InputFile file, String sha256, String duplicateOf) {
    public boolean isDuplicate() {
      return duplicateOf != null;
    }
  }

  private IngestedFiles() {}

  /**
   * The listed files not yet seen (by path, size and time), checksummed and classified; sorted by
   * path. Within one listing, the second of two identical files is a duplicate of the first.
   */
  public static List<Checked> newFiles(Lake lake, List<InputFile> listed) {
    Set<String> seen = new HashSet<>();
    Map<String, String> byChecksum = new HashMap<>();
    if (lake.exists(LakeTable.INGESTED_FILES)) {
      for (Row r :
          lake.read(LakeTable.INGESTED_FILES)
              .select(col(PATH), col(SIZE), col(MODIFIED), col(SHA256), col(STATUS))
              .collectAsList()) {
        seen.add(key(r.getString(0), r.getLong(1), r.getLong(2)));
        if (INGESTED.equals(r.getString(4))) {
          byChecksum.putIfAbsent(r.getString(3), r.getString(0));
        }
      }
    }
    List<InputFile> fresh = new ArrayList<>();
    for (InputFile f : listed) {
      if (!seen.contains(key(f.path(), f.size(), f.modificationTime()))) {
        fresh.add(f);
      }
    }
    Map<String, String> sums = checksums(lake, fresh);
    List<Checked> out = new ArrayList<>();
    for (InputFile f : fresh) {
      String sum = sums.get(f.path());
      String dupOf = byChecksum.get(sum);
      if (dupOf == null) {
        byChecksum.put(sum, f.path());
      }
      out.add(new Checked(f, sum, dupOf));
    }
    return out;
  }

  /** Appends one row per checked file to {@code ingested_files} (tracked by the run). */
  public static void record(Run run, List<Checked> files) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (Checked c : files) {
      rows.add(
          RowFactory.create(
              c.file().path(),
              c.file().size(),
              c.file().modificationTime(),
              c.sha256(),
              c.isDuplicate() ? DUPLICATE_CONTENT : INGESTED,
              c.duplicateOf(),
              run.id(),
              now));
    }
    Dataset<Row> df = run.lake().spark().createDataFrame(rows, SCHEMA);
    run.append(LakeTable.INGESTED_FILES, df);
  }

  private static String key(String path, long size, long modified) {
    return path + "\u0000" + size + "\u0000" + modified;
  }

  /** SHA-256 of each file's bytes, one Spark task per file. */
  static Map<String, String> checksums(Lake lake, List<InputFile> files) {
    Map<String, String> out = new HashMap<>();
    if (files.isEmpty()) {
      return out;
    }
    SerializableConfiguration conf =
        new SerializableConfiguration(lake.spark().sparkContext().hadoopConfiguration());
    List<String> paths = files.stream().map(InputFile::path).toList();
    List<Tuple2<String, String>> sums =
        JavaSparkContext.fromSparkContext(lake.spark().sparkContext())
            .parallelize(paths, paths.size())
            .map(p -> new Tuple2<>(p, sha256(new Path(p), conf.value())))
            .collect();
    for (Tuple2<String, String> t : sums) {
      out.put(t._1(), t._2());
    }
    return out;
  }

  static String sha256(Path path, Configuration conf) {
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read " + path + " to checksum it",
          e.getMessage(),
          "check that the input is readable (input.path and its credentials)",
          e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JRE", e);
    }
  }
}
