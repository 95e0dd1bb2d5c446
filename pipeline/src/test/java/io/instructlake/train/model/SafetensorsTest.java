package io.instructlake.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.instructlake.PipelineException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  /** Writes a safetensors file byte by byte (independent of {@link Safetensors#write}). */
  static byte[] handWritten() {
    String header =
        "{\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[16,20]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"c\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[20,26]},"
            + "\"__metadata__\":{\"format\":\"pt\"}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 26).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    buf.putFloat(1f).putFloat(-2f).putFloat(0.5f).putFloat(3.25f);
    buf.putShort((short) 0x3FC0); // bf16 1.5
    buf.putShort((short) 0xC040); // bf16 -3.0
    buf.putShort((short) 0x3C00); // f16 1.0
    buf.putShort((short) 0xC100); // f16 -2.5
    buf.putShort((short) 0x0001); // f16 smallest subnormal 2^-24
    return buf.array();
  }

  @Test
  void readsHandWrittenFileWithF32Bf16AndF16() throws Exception {
    Path f = dir.resolve("x.safetensors");
    Files.write(f, handWritten());
    Map<String, HostTensor> t = Safetensors.read(f);
    assertEquals(java.util.List.of("a", "b", "c"), java.util.List.copyOf(t.keySet()));
    assertArrayEquals(new float[] {1f, -2f, 0.5f, 3.25f}, t.get("a").data());
    assertArrayEquals(new long[] {2, 2}, t.get("a").shape());
    assertArrayEquals(new float[] {1.5f, -3f}, t.get("b").data());
    assertArrayEquals(new float[] {1f, -2.5f, (float) Math.pow(2, -24)}, t.get("c").data());
  }

  @Test
  void truncatedFileFailsWithClearMessage() throws Exception {
    Path f = dir.resolve("bad.safetensors");
    byte[] full = handWritten();
    Files.write(f, java.util.Arrays.copyOf(full, full.length - 4));
    PipelineException e = assertThrows(PipelineException.class, () -> Safetensors.read(f));
    assertTrue(e.getMessage().contains("Cannot read safetensors file"), e.getMessage());
  }

  @Test
  void writesHeaderThatParsesAndShardsWithIndex() throws Exception {
    Map<String, HostTensor> t = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      float[] v = new float[10];
      for (int k = 0; k < v.length; k++) {
        v[k] = i * 100 + k;
      }
      t.put("w" + i, new HostTensor(v, new long[] {2, 5}));
    }
    Safetensors.writeDir(dir, t, 100); // 40 bytes per tensor -> 3 shards
    assertTrue(Files.exists(dir.resolve(Safetensors.INDEX)));
    assertTrue(Files.exists(dir.resolve("model-00003-of-00003.safetensors")));
    Map<String, HostTensor> back = Safetensors.readDir(dir);
    assertEquals(t.keySet(), back.keySet());
    for (String k : t.keySet()) {
      assertArrayEquals(t.get(k).data(), back.get(k).data(), k);
      assertArrayEquals(t.get(k).shape(), back.get(k).shape(), k);
    }
    // The header is 8-byte aligned JSON with format pt.
    byte[] raw = Files.readAllBytes(dir.resolve("model-00001-of-00003.safetensors"));
    long len = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, len % 8);
    String header = new String(raw, 8, (int) len, StandardCharsets.UTF_8);
    assertTrue(header.contains("\"format\":\"pt\""), header);
  }

  @Test
  void loadsHfNamedCheckpointIntoModel() throws Exception {
    LlamaConfig c = ModelTest.tiny(LlamaConfig.QWEN2, false);
    // Build HF-named tensors by hand from the expected name list, with distinct values.
    Map<String, HostTensor> w = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, long[]> e : LlamaModel.expectedShapes(c).entrySet()) {
      float[] v = new float[(int) HostTensor.numel(e.getValue())];
      for (int k = 0; k < v.length; k++) {
        v[k] = i + k * 1e-3f;
      }
      w.put(e.getKey(), new HostTensor(v, e.getValue()));
      i++;
    }
    assertTrue(w.containsKey("model.layers.1.self_attn.k_proj.bias"));
    Files.writeString(dir.resolve("config.json"), c.toJson());
    Safetensors.writeDir(dir, w, 2000);
    LlamaConfig back = LlamaConfig.read(dir);
    assertEquals(c.toJson(), back.toJson());
    try (NDManager m = NDManager.newBaseManager();
        LlamaModel model =
            LlamaModel.fromTensors(back, m, DataType.FLOAT32, Safetensors.readDir(dir))) {
      Map<String, HostTensor> state = model.baseState();
      assertEquals(w.keySet(), state.keySet());
      for (String k : w.keySet()) {
        assertArrayEquals(w.get(k).data(), state.get(k).data(), k);
      }
    }
    // A missing tensor is reported by name.
    w.remove("model.norm.weight");
    try (NDManager m = NDManager.newBaseManager()) {
      PipelineException e =
          assertThrows(
              PipelineException.class, () -> LlamaModel.fromTensors(c, m, DataType.FLOAT32, w));
      assertTrue(e.getMessage().contains("missing model.norm.weight"), e.getMessage());
    }
  }

  @Test
  void parsesHfLlamaConfig() {
    String json =
        "{\"architectures\":[\"LlamaForCausalLM\"],\"vocab_size\":100,\"hidden_size\":64,"
            + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":8,"
            + "\"num_key_value_heads\":2,\"rms_norm_eps\":1e-5,\"rope_theta\":500000.0,"
            + "\"tie_word_embeddings\":true,\"eos_token_id\":[7,8],\"rope_scaling\":null}";
    LlamaConfig c = LlamaConfig.fromJson(json);
    assertEquals(8, c.headDim());
    assertEquals(2, c.numKvHeads());
    assertEquals(500000.0, c.ropeTheta());
    assertEquals(7, c.eosTokenId());
    assertTrue(c.tieWordEmbeddings());
    assertTrue(!c.attentionBias());
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> LlamaConfig.fromJson("{\"architectures\":[\"GPT2LMHeadModel\"]}"));
    assertTrue(e.getMessage().contains("GPT2LMHeadModel is not supported"), e.getMessage());
  }
}
