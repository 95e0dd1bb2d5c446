package io.instructlake.train;

import io.instructlake.PipelineException;
import io.instructlake.lake.Lake;
import io.instructlake.lake.Run;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where a training run's outputs go: {@code <lake>/_state/models/<run id>/}. On a local lake that
 * is a directory written in place; on an object store ({@code s3a://}, {@code dbfs:/}, ...) the
 * outputs are staged in a local temporary directory and copied to the lake by {@link #publish}.
 */
public final class ModelOutput {
  private final String uri;
  private final Path dir;
  private final boolean local;

  private ModelOutput(String uri, Path dir, boolean local) {
    this.uri = uri;
    this.dir = dir;
    this.local = local;
  }

  /** The output location of {@code run}; creates the local directory or the staging one. */
  public static ModelOutput of(Run run) {
    return at(run.lake(), run.id());
  }

  /** The output location of run {@code runId} in {@code lake}. */
  public static ModelOutput at(Lake lake, String runId) {
    String uri = lake.sidePath("models/" + runId);
    boolean local = isLocal(uri);
    try {
      Path dir = local ? localPath(uri) : Files.createTempDirectory("instructlake-train-");
      Files.createDirectories(dir);
      return new ModelOutput(uri, dir, local);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot create the model output " + uri,
          e.toString(),
          local ? "check that lake.root is writable" : "check java.io.tmpdir",
          e);
    }
  }

  /** The lake URI of the outputs. */
  public String uri() {
    return uri;
  }

  /** The local directory written now: the outputs themselves, or their staging copy. */
  public Path dir() {
    return dir;
  }

  /** Whether {@link #dir()} is the final place (a local lake). */
  public boolean isLocal() {
    return local;
  }

  /**
   * Copies what was staged to the lake (nothing to do on a local lake), entry by entry, skipping
   * the entries named in {@code skip} (e.g. checkpoints rank 0 already wrote there), then deletes
   * the staging directory.
   */
  public void publish(Run run, Set<String> skip) {
    if (local) {
      return;
    }
    org.apache.hadoop.conf.Configuration conf =
        run.lake().spark().sparkContext().hadoopConfiguration();
    try (Stream<Path> children = Files.list(dir)) {
      for (Path c : children.toList()) {
        if (skip.contains(c.getFileName().toString())) {
          continue;
        }
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(uri + "/" + c.getFileName());
        org.apache.hadoop.fs.FileSystem fs = dst.getFileSystem(conf);
        fs.delete(dst, true);
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(c.toUri()), dst);
      }
      deleteTree(dir);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot copy the trained model to " + uri,
          e.toString(),
          "check that the lake is writable (fs.s3a.* settings, credentials)",
          e);
    }
  }

  /** Whether a lake URI is a local path (no scheme, or {@code file:}). */
  public static boolean isLocal(String uri) {
    return !uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || uri.startsWith("file:");
  }

  /** The local path of a URI for which {@link #isLocal} holds. */
  public static Path localPath(String uri) {
    return uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
