package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-norm decoder layer (HF {@code LlamaDecoderLayer}): {@code h + attn(norm(h))}, then {@code
 * h + mlp(norm(h))}.
 */
final class DecoderLayerBlock extends HfBlock {
  private final RmsNormBlock inputNorm;
  private final AttentionBlock attention;
  private final RmsNormBlock postNorm;
  private final MlpBlock mlp;

  DecoderLayerBlock(int layer, LlamaConfig config) {
    super("model.layers." + layer);
    String p = module() + ".";
    double eps = config.rmsNormEps();
    inputNorm = addChildBlock("input_layernorm", new RmsNormBlock(p + "input_layernorm", eps));
    attention = addChildBlock("self_attn", new AttentionBlock(p + "self_attn", config));
    postNorm =
        addChildBlock(
            "post_attention_layernorm", new RmsNormBlock(p + "post_attention_layernorm", eps));
    mlp = addChildBlock("mlp", new MlpBlock(p + "mlp"));
  }

  /** The layer's attention block. */
  AttentionBlock attention() {
    return attention;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray h = inputs.head();
    NDList x = inputNorm.forward(store, new NDList(h), training, params);
    h = h.add(attention.forward(store, x, training, params).singletonOrThrow());
    x = postNorm.forward(store, new NDList(h), training, params);
    h = h.add(mlp.forward(store, x, training, params).singletonOrThrow());
    return new NDList(h);
  }
}
