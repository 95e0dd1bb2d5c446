package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;

/**
 * What every block of one forward pass shares, handed down through DJL's {@code forward(...,
 * params)}: the model (for compute-type weights and LoRA settings), the batch's RoPE tables and
 * attention mask, the dropout source (null: no dropout) and, when generating, the key/value cache
 * the attention blocks append to and attend over (null: attend over this pass's tokens only).
 */
record ForwardContext(
    LlamaModel model,
    NDArray cos,
    NDArray sin,
    NDArray mask,
    LlamaModel.DropoutSource drop,
    KvCache cache) {
  static final String KEY = "instructlake.llama.forward";

  ForwardContext(
      LlamaModel model, NDArray cos, NDArray sin, NDArray mask, LlamaModel.DropoutSource drop) {
    this(model, cos, sin, mask, drop, null);
  }

  /** The context a block was called with; fails clearly when called without one. */
  static ForwardContext from(PairList<String, Object> params) {
    Object o = params == null ? null : params.get(KEY);
    if (o instanceof ForwardContext c) {
      return c;
    }
    throw new IllegalArgumentException(
        "Llama blocks need a ForwardContext under the forward params key '"
            + KEY
            + "': run them through LlamaModel.logits or LlamaModel.loss");
  }

  /** This context as DJL forward params. */
  PairList<String, Object> asParams() {
    PairList<String, Object> p = new PairList<>();
    p.add(KEY, this);
    return p;
  }

  /** Parameter {@code p} as the forward pass uses it (its compute-type copy when mixed). */
  NDArray weight(Parameter p) {
    return p == null ? null : model.computeWeight(p);
  }
}
