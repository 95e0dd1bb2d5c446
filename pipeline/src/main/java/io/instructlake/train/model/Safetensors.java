package io.instructlake.train.model;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header
 * mapping each name to dtype, shape and byte offsets, then raw little-endian data), single files
 * and HF sharded checkpoints with {@code model.safetensors.index.json}.
 *
 * <p>Why this is ours: DJL 0.35.1 does have a safetensors codec ({@code NDList.decode} / {@code
 * NDList.encode(..., Encoding.SAFETENSORS)}), but it materializes every tensor as an NDArray of the
 * stored dtype, and the BF16 tensors of real checkpoints (DeepSeek-R1-Distill, Qwen2 are stored in
 * bf16) crash DJL on CPU; it also knows nothing of sharded checkpoints and writes no {@code
 * __metadata__ {"format":"pt"}} that transformers checks. This class converts F16/BF16/F64 to fp32
 * in Java, handles the index, and always writes F32 with the metadata.
 */
public final class Safetensors {
  /** Name of the index file of a sharded checkpoint. */
  public static final String INDEX = "model.safetensors.index.json";

  /** Name of a single-file checkpoint. */
  public static final String SINGLE = "model.safetensors";

  private Safetensors() {}

  /** Reads every tensor of one safetensors file, converted to fp32, in file order. */
  public static Map<String, HostTensor> read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > 100_000_000L || headerLen + 8 > ch.size()) {
        throw new IOException("bad header length " + headerLen);
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      readFully(ch, hb, 8);
      JsonObject header =
          JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
      long base = 8 + headerLen;
      // Sort by offset so reading is sequential; keep names in offset order.
      TreeMap<Long, String> byOffset = new TreeMap<>();
      for (Map.Entry<String, JsonElement> e : header.entrySet()) {
        if (!e.getKey().equals("__metadata__")) {
          byOffset.put(
              e.getValue().getAsJsonObject().getAsJsonArray("data_offsets").get(0).getAsLong(),
              e.getKey());
        }
      }
      Map<String, HostTensor> out = new LinkedHashMap<>();
      for (String name : byOffset.values()) {
        JsonObject t = header.getAsJsonObject(name);
        String dtype = t.get("dtype").getAsString();
        long[] shape = new long[t.getAsJsonArray("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = t.getAsJsonArray("shape").get(i).getAsLong();
        }
        long start = t.getAsJsonArray("data_offsets").get(0).getAsLong();
        long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
        int n = Math.toIntExact(HostTensor.numel(shape));
        int width = dtypeWidth(dtype, file, name);
        if ((end - start) != (long) n * width) {
          throw new IOException(name + ": " + (end - start) + " bytes for " + n + " " + dtype);
        }
        ByteBuffer data =
            ByteBuffer.allocate(Math.toIntExact(end - start)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, base + start);
        data.flip();
        out.put(name, new HostTensor(toFloats(data, dtype, n), shape));
      }
      return out;
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read safetensors file " + file,
          e.getMessage(),
          "check the file is a complete safetensors checkpoint",
          e);
    }
  }

  /**
   * Reads a checkpoint directory: the shards listed in {@code model.safetensors.index.json} when it
   * exists, else {@code model.safetensors}.
   */
  public static Map<String, HostTensor> readDir(Path dir) {
    Path index = dir.resolve(INDEX);
    if (!Files.exists(index)) {
      Path single = dir.resolve(SINGLE);
      if (!Files.exists(single)) {
        throw new PipelineException(
            "Cannot load weights from " + dir,
            "neither " + SINGLE + " nor " + INDEX + " exists there",
            "point to an HF model directory");
      }
      return read(single);
    }
    try {
      JsonObject idx = JsonParser.parseString(Files.readString(index)).getAsJsonObject();
      JsonObject map = idx.getAsJsonObject("weight_map");
      List<String> shards = new ArrayList<>();
      for (Map.Entry<String, JsonElement> e : map.entrySet()) {
        String shard = e.getValue().getAsString();
        if (!shards.contains(shard)) {
          shards.add(shard);
        }
      }
      Map<String, HostTensor> out = new LinkedHashMap<>();
      for (String shard : shards) {
        out.putAll(read(dir.resolve(shard)));
      }
      for (String name : map.keySet()) {
        if (!out.containsKey(name)) {
          throw new IOException("index lists " + name + " but its shard does not hold it");
        }
      }
      return out;
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read sharded checkpoint " + dir, e.getMessage(), "check " + INDEX, e);
    }
  }

  /** Writes tensors as one F32 safetensors file, in map order. */
  public static void write(Path file, Map<String, HostTensor> tensors) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      JsonObject header = new JsonObject();
      JsonObject meta = new JsonObject();
      meta.addProperty("format", "pt");
      header.add("__metadata__", meta);
      long offset = 0;
      for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
        JsonObject t = new JsonObject();
        t.addProperty("dtype", "F32");
        t.add("shape", new Gson().toJsonTree(e.getValue().shape()));
        long bytes = 4L * e.getValue().data().length;
        t.add("data_offsets", new Gson().toJsonTree(new long[] {offset, offset + bytes}));
        header.add(e.getKey(), t);
        offset += bytes;
      }
      byte[] hj = header.toString().getBytes(StandardCharsets.UTF_8);
      int pad = (8 - hj.length % 8) % 8; // spec: header may be padded with spaces (alignment)
      byte[] hjp = new byte[hj.length + pad];
      System.arraycopy(hj, 0, hjp, 0, hj.length);
      for (int i = hj.length; i < hjp.length; i++) {
        hjp[i] = ' ';
      }
      try (OutputStream os = Files.newOutputStream(file)) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        len.putLong(hjp.length);
        os.write(len.array());
        os.write(hjp);
        for (HostTensor t : tensors.values()) {
          ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
          b.asFloatBuffer().put(t.data());
          os.write(b.array());
        }
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot write safetensors file " + file, e.getMessage(), "check the path is writable", e);
    }
  }

  /**
   * Writes tensors into {@code dir}: one {@code model.safetensors} when they fit in {@code
   * maxShardBytes}, else HF shards {@code model-0000i-of-0000n.safetensors} plus the index.
   */
  public static void writeDir(Path dir, Map<String, HostTensor> tensors, long maxShardBytes) {
    List<Map<String, HostTensor>> shards = new ArrayList<>();
    Map<String, HostTensor> cur = new LinkedHashMap<>();
    long curBytes = 0;
    long total = 0;
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      long b = 4L * e.getValue().data().length;
      if (!cur.isEmpty() && curBytes + b > maxShardBytes) {
        shards.add(cur);
        cur = new LinkedHashMap<>();
        curBytes = 0;
      }
      cur.put(e.getKey(), e.getValue());
      curBytes += b;
      total += b;
    }
    shards.add(cur);
    if (shards.size() == 1) {
      write(dir.resolve(SINGLE), tensors);
      return;
    }
    JsonObject weightMap = new JsonObject();
    for (int i = 0; i < shards.size(); i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      write(dir.resolve(name), shards.get(i));
      for (String k : shards.get(i).keySet()) {
        weightMap.addProperty(k, name);
      }
    }
    JsonObject idx = new JsonObject();
    JsonObject meta = new JsonObject();
    meta.addProperty("total_size", total);
    idx.add("metadata", meta);
    idx.add("weight_map", weightMap);
    try {
      Files.writeString(dir.resolve(INDEX), idx.toString());
    } catch (IOException e) {
      throw new PipelineException("Cannot write " + INDEX, e.getMessage(), "check " + dir, e);
    }
  }

  private static int dtypeWidth(String dtype, Path file, String name) throws IOException {
    switch (dtype) {
      case "F32":
        return 4;
      case "F16":
      case "BF16":
        return 2;
      case "F64":
        return 8;
      default:
        throw new IOException(
            name + " in " + file + " has dtype " + dtype + "; supported: F32, F16, BF16, F64");
    }
  }

  private static float[] toFloats(ByteBuffer data, String dtype, int n) {
    float[] out = new float[n];
    switch (dtype) {
      case "F32":
        data.asFloatBuffer().get(out);
        break;
      case "F64":
        for (int i = 0; i < n; i++) {
          out[i] = (float) data.getDouble();
        }
        break;
      case "BF16":
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
        }
        break;
      default: // F16
        for (int i = 0; i < n; i++) {
          out[i] = halfToFloat(data.getShort());
        }
    }
    return out;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new IOException("file ends early at byte " + pos);
      }
      pos += r;
    }
  }

  /** IEEE 754 half to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0) {
      float v = mant * 0x1p-24f; // subnormal
      return sign == 0 ? v : -v;
    }
    if (exp == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
