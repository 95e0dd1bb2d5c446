package io.instructlake.train.dp;

import io.instructlake.PipelineException;
import io.instructlake.train.Checkpoints;
import io.instructlake.train.ModelOutput;
import io.instructlake.train.Trainer;
import io.instructlake.train.data.SftLoader;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where rank 0 writes checkpoints and every rank of a (resubmitted) stage resumes from: a local
 * directory every executor reaches (one machine, or a shared mount), or a Hadoop file system URI
 * ({@code s3a://}, {@code abfss://}, {@code hdfs://}) under the lake.
 *
 * <p>A remote checkpoint is written by {@link Checkpoints} into a local staging directory, uploaded
 * to {@code <uri>/checkpoint-<step>/}, and then committed by an empty {@value #COMPLETE} object
 * written last: object stores have no atomic directory rename, so readers take the newest
 * checkpoint that has the marker, and a task killed mid-upload leaves a directory nobody reads (the
 * next save of that step replaces it). A local checkpoint is committed by {@link Checkpoints}' own
 * rename.
 *
 * <p>The store travels to the executors in the task closure with the driver's {@code fs.*} Hadoop
 * settings (endpoint, credentials provider, path style), so executors reach the same bucket as the
 * driver whether those settings came from {@code spark.hadoop.*} or were set on the driver's Hadoop
 * configuration.
 */
record CheckpointStore(String uri, Map<String, String> hadoopConf) implements Serializable {
  /** The commit marker of a remote checkpoint. */
  static final String COMPLETE = "_COMPLETE";

  /** A store in a local directory (shared by every executor). */
  static CheckpointStore local(java.nio.file.Path dir) {
    return new CheckpointStore(dir.toAbsolutePath().toString(), Map.of());
  }

  /** A store at {@code uri}: local when it has no scheme or {@code file:}, else remote. */
  static CheckpointStore at(String uri, Configuration driverConf) {
    if (ModelOutput.isLocal(uri)) {
      return local(ModelOutput.localPath(uri));
    }
    Map<String, String> fs = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : driverConf) {
      if (e.getKey().startsWith("fs.")) {
        fs.put(e.getKey(), e.getValue());
      }
    }
    return new CheckpointStore(uri, fs);
  }

  boolean isLocal() {
    return ModelOutput.isLocal(uri);
  }

  /**
   * The newest complete checkpoint as a local directory: in the store itself when local, else
   * downloaded into {@code staging/checkpoint-<step>}.
   */
  Optional<java.nio.file.Path> latest(java.nio.file.Path staging) {
    return find(-1, staging);
  }

  /**
   * The complete checkpoint of {@code step} as a local directory (downloaded into {@code staging}
   * when remote), if the store has it.
   */
  Optional<java.nio.file.Path> at(long step, java.nio.file.Path staging) {
    return find(step, staging);
  }

  /** {@code step} < 0: the newest complete checkpoint; else that step's, if complete. */
  private Optional<java.nio.file.Path> find(long step, java.nio.file.Path staging) {
    if (isLocal()) {
      return step < 0
          ? Checkpoints.latest(ModelOutput.localPath(uri))
          : Checkpoints.at(ModelOutput.localPath(uri), step);
    }
    try (FileSystem fs = fileSystem()) {
      Path root = new Path(uri);
      if (!fs.exists(root)) {
        return Optional.empty();
      }
      Path newest = null;
      for (FileStatus st : fs.listStatus(root)) {
        String name = st.getPath().getName();
        if (st.isDirectory()
            && name.matches("checkpoint-\\d+")
            && (step < 0
                ? newest == null || step(name) > step(newest.getName())
                : step(name) == step)
            && fs.exists(new Path(st.getPath(), COMPLETE))) {
          newest = st.getPath();
        }
      }
      if (newest == null) {
        return Optional.empty();
      }
      java.nio.file.Path local = staging.resolve(newest.getName());
      Checkpoints.deleteTree(local);
      Files.createDirectories(staging);
      fs.copyToLocalFile(false, newest, new Path(local.toUri()), true);
      return Optional.of(local);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read the checkpoints under " + uri,
          e.toString(),
          "check that the executors can reach the lake (fs.s3a.* settings, credentials)",
          e);
    }
  }

  /**
   * Writes a checkpoint of the trainer's current step: into the store when local, else into {@code
   * staging}, then uploaded and committed (and the staged copy deleted).
   */
  void save(java.nio.file.Path staging, Trainer trainer, SftLoader.Position position) {
    if (isLocal()) {
      Checkpoints.save(ModelOutput.localPath(uri), trainer, position);
      return;
    }
    java.nio.file.Path dir = Checkpoints.save(staging, trainer, position);
    Path remote = new Path(uri, dir.getFileName().toString());
    try (FileSystem fs = fileSystem()) {
      fs.delete(remote, true);
      fs.copyFromLocalFile(false, true, new Path(dir.toUri()), remote);
      fs.create(new Path(remote, COMPLETE), true).close();
      // The staged copy is only needed until it is uploaded.
      Checkpoints.deleteTree(dir);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot upload checkpoint " + dir.getFileName() + " to " + uri,
          e.toString(),
          "check that the executors can write to the lake (fs.s3a.* settings, credentials)",
          e);
    }
  }

  /**
   * A new file system instance for these settings (not Hadoop's cache, which is keyed by scheme and
   * bucket only and could hand back an instance made with other settings); closed after use.
   */
  private FileSystem fileSystem() throws IOException {
    Configuration conf = new Configuration();
    hadoopConf.forEach(conf::set);
    return FileSystem.newInstance(new Path(uri).toUri(), conf);
  }

  private static long step(String name) {
    return Long.parseLong(name.substring("checkpoint-".length()));
  }
}
