package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole decoder as a DJL block tree (HF {@code LlamaForCausalLM}): token ids {@code (B,T)} in,
 * logits {@code (B,T,vocab)} out. Children: {@code embed_tokens}, {@code layers.N}, {@code norm},
 * and {@code lm_head} unless the head is tied to the embedding.
 */
final class LlamaBlock extends HfBlock {
  private final EmbeddingBlock embed;
  private final List<DecoderLayerBlock> layers = new ArrayList<>();
  private final RmsNormBlock norm;
  private final ProjectionBlock head; // null when tied
  private final Map<String, ProjectionBlock> projections = new LinkedHashMap<>();

  LlamaBlock(LlamaConfig config) {
    super("");
    embed = addChildBlock("embed_tokens", new EmbeddingBlock("model.embed_tokens"));
    for (int l = 0; l < config.numLayers(); l++) {
      layers.add(addChildBlock("layers." + l, new DecoderLayerBlock(l, config)));
    }
    norm = addChildBlock("norm", new RmsNormBlock("model.norm", config.rmsNormEps()));
    head =
        config.tieWordEmbeddings()
            ? null
            : addChildBlock("lm_head", new ProjectionBlock("lm_head", false));
    indexProjections(this);
  }

  private void indexProjections(ai.djl.nn.Block b) {
    if (b instanceof ProjectionBlock p) {
      projections.put(p.module(), p);
    }
    for (ai.djl.nn.Block c : b.getChildren().values()) {
      indexProjections(c);
    }
  }

  /** Decoder layer {@code l}. */
  DecoderLayerBlock layer(int l) {
    return layers.get(l);
  }

  /** Every linear projection by HF module name ({@code model.layers.0.self_attn.q_proj}, ...). */
  Map<String, ProjectionBlock> projections() {
    return Collections.unmodifiableMap(projections);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList h = embed.forward(store, inputs, training, params);
    for (DecoderLayerBlock layer : layers) {
      h = layer.forward(store, h, training, params);
    }
    h = norm.forward(store, h, training, params);
    if (head != null) {
      return head.forward(store, h, training, params);
    }
    ForwardContext ctx = ForwardContext.from(params);
    NDArray tied = ctx.weight(embed.weight());
    return new NDList(LlamaModel.linear(h.singletonOrThrow(), tied, null));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long vocab = embed.weight().getArray().getShape().get(0);
    return new Shape[] {inputShapes[0].add(vocab)};
  }
}
