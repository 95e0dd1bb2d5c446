package io.instructlake.testkit;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server for tests: s3proxy started in-process on a free port of 127.0.0.1 over
 * the jclouds {@code transient} (in-memory) store, with a random access key and secret per start
 * and one bucket already created. Nothing is written to disk; {@link #close()} frees everything.
 *
 * <p>Clients use path-style access over plain HTTP; {@link #hadoopConf()} gives the {@code
 * fs.s3a.*} settings for Hadoop's S3A (see STACK.md), with the static {@code
 * SimpleAWSCredentialsProvider}. Tests that check the default provider chain (environment
 * variables) pass {@link #accessKey()} / {@link #secretKey()} as {@code AWS_ACCESS_KEY_ID} / {@code
 * AWS_SECRET_ACCESS_KEY} to a child process instead and use {@link #hadoopConfWithoutKeys()}.
 */
public final class S3Server implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final String bucket;
  private final String accessKey;
  private final String secretKey;
  private final String endpoint;

  private S3Server(String bucket) throws Exception {
    this.bucket = bucket;
    // AWS-like shapes: 20 upper-case characters for the key id, 40 for the secret.
    this.accessKey = "AKIA" + HexFormat.of().withUpperCase().formatHex(randomBytes(8));
    this.secretKey = HexFormat.of().formatHex(randomBytes(20));
    this.context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .build(BlobStoreContext.class);
    BlobStore store = context.getBlobStore();
    S3Proxy started = null;
    try {
      started =
          S3Proxy.builder()
              .blobStore(store)
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
              .build();
      started.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(started.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("s3proxy did not start: " + started.getState());
        }
        Thread.sleep(10);
      }
      store.createContainerInLocation(null, bucket);
    } catch (Exception e) {
      if (started != null) {
        started.stop();
      }
      context.close();
      throw e;
    }
    this.proxy = started;
    this.endpoint = "http://127.0.0.1:" + proxy.getPort();
  }

  /**
   * Starts a server with a bucket named {@code instructlake-test-<random>}: a fresh bucket name per
   * start keeps Hadoop's file-system cache (keyed by scheme and bucket) from handing out an S3A
   * client of an earlier server.
   */
  public static S3Server start() throws Exception {
    return start("instructlake-test-" + HexFormat.of().formatHex(randomBytes(4)));
  }

  /** Starts a server with one (empty) bucket named {@code bucket}. */
  public static S3Server start(String bucket) throws Exception {
    return new S3Server(bucket);
  }

  /** The HTTP endpoint, {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return endpoint;
  }

  /** The bucket created at start. */
  public String bucket() {
    return bucket;
  }

  /** {@code s3a://BUCKET/PATH} (the path without a leading slash). */
  public String uri(String path) {
    return "s3a://" + bucket + "/" + path;
  }

  /** The access key id of this start. */
  public String accessKey() {
    return accessKey;
  }

  /** The secret key of this start (never log it). */
  public String secretKey() {
    return secretKey;
  }

  /**
   * The {@code fs.s3a.*} settings that reach this server, without credentials or a credentials
   * provider: the default S3A provider chain then reads them (for example from {@code
   * AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} in the environment).
   */
  public Map<String, String> hadoopConfWithoutKeys() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("fs.s3a.endpoint", endpoint);
    m.put("fs.s3a.endpoint.region", "us-east-1");
    m.put("fs.s3a.path.style.access", "true");
    m.put("fs.s3a.connection.ssl.enabled", "false");
    // Tests never want the SDK's minutes of retries against a server that is gone.
    m.put("fs.s3a.attempts.maximum", "3");
    m.put("fs.s3a.retry.limit", "3");
    return Collections.unmodifiableMap(m);
  }

  /** {@link #hadoopConfWithoutKeys()} plus the static provider with this start's key and secret. */
  public Map<String, String> hadoopConf() {
    Map<String, String> m = new LinkedHashMap<>(hadoopConfWithoutKeys());
    m.put(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    m.put("fs.s3a.access.key", accessKey);
    m.put("fs.s3a.secret.key", secretKey);
    return Collections.unmodifiableMap(m);
  }

  /**
   * Sets {@link #hadoopConf()} on {@code conf} (for example {@code
   * spark.sparkContext().hadoopConfiguration()}). Per-bucket keys are not used, so a configuration
   * talks to one server at a time; S3A clients already cached for this bucket keep their settings.
   */
  public void applyTo(Configuration conf) {
    for (Map.Entry<String, String> e : hadoopConf().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
