package io.instructlake.train.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** RMSNorm over the last axis with a learned scale {@code weight} (HF {@code LlamaRMSNorm}). */
final class RmsNormBlock extends HfBlock {
  private final Parameter weight;
  private final double eps;

  RmsNormBlock(String module, double eps) {
    super(module);
    this.weight = param("weight", Parameter.Type.GAMMA);
    this.eps = eps;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    ForwardContext ctx = ForwardContext.from(params);
    return new NDList(LlamaModel.rmsNorm(inputs.head(), ctx.weight(weight), eps));
  }
}
