package io.instructlake.train.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block of the Llama decoder that owns the parameters of one HF module ({@code
 * model.layers.0.self_attn.q_proj}, ...), so each parameter's HF name is {@code module + "." +
 * parameter name}. Parameters are given their arrays by {@link LlamaModel} (loaded from safetensors
 * or randomly initialized there), never by DJL's initializers, and the blocks read them through
 * {@link ForwardContext#weight}, which hands out the compute-type copy under mixed precision.
 * (DJL's own {@code Linear} reads weights through a {@code ParameterStore}, which has no place for
 * such copies and no LoRA branch: that is why the projections are ours.)
 */
abstract class HfBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final String module;

  HfBlock(String module) {
    super(VERSION);
    this.module = module;
  }

  /** The HF module path, e.g. {@code model.layers.0.mlp.up_proj} (empty for the root). */
  String module() {
    return module;
  }

  /** Registers a parameter named {@code name} (e.g. {@code weight}, {@code lora_A.weight}). */
  protected final Parameter param(String name, Parameter.Type type) {
    return addParameter(Parameter.builder().setName(name).setType(type).build());
  }

  /** Every parameter of this block and its children, by HF name, in registration order. */
  final Map<String, Parameter> hfParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect(this, out);
    return out;
  }

  private static void collect(Block b, Map<String, Parameter> out) {
    if (b instanceof HfBlock h) {
      for (Parameter p : h.getDirectParameters().values()) {
        out.put(h.module() + "." + p.getName(), p);
      }
    }
    for (Block child : b.getChildren().values()) {
      collect(child, out);
    }
  }

  /**
   * Initialized once every parameter has its array. DJL's default also wants input shapes from
   * {@code initialize}, which these blocks never go through (their arrays come from {@link
   * LlamaModel}), and would otherwise try to initialize them on the first training forward.
   */
  @Override
  public boolean isInitialized() {
    for (Parameter p : getParameters().values()) {
      if (!p.isInitialized()) {
        return false;
      }
    }
    return true;
  }

  /** Shape-preserving by default (norms, attention, MLP, decoder layers). */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
