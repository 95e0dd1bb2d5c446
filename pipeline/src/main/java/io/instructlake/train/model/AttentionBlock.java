package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Grouped-query self-attention (HF {@code LlamaAttention}): q/k/v projections, rotary position
 * embeddings, scaled dot-product scores plus the additive causal/padding/packing mask, softmax, and
 * the output projection. Head {@code h} uses key/value head {@code h / (heads / kvHeads)}, as HF's
 * {@code repeat_kv}. With a {@link KvCache} in the forward context, keys and values of earlier
 * passes come from the cache (HF's {@code past_key_values}).
 */
final class AttentionBlock extends HfBlock {
  private final LlamaConfig config;
  private final int layer;
  private final ProjectionBlock q;
  private final ProjectionBlock k;
  private final ProjectionBlock v;
  private final ProjectionBlock o;

  AttentionBlock(String module, LlamaConfig config) {
    super(module);
    this.config = config;
    this.layer = Integer.parseInt(module.split("\\.")[2]); // model.layers.N.self_attn
    boolean bias = config.attentionBias();
    q = addChildBlock("q_proj", new ProjectionBlock(module + ".q_proj", bias));
    k = addChildBlock("k_proj", new ProjectionBlock(module + ".k_proj", bias));
    v = addChildBlock("v_proj", new ProjectionBlock(module + ".v_proj", bias));
    o = addChildBlock("o_proj", new ProjectionBlock(module + ".o_proj", false));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    ForwardContext ctx = ForwardContext.from(params);
    NDArray x = inputs.head();
    long bs = x.getShape().get(0);
    long t = x.getShape().get(1);
    int heads = config.numHeads();
    int kv = config.numKvHeads();
    int rep = heads / kv;
    int d = config.headDim();
    // (B,T,H*D) -> (B,KV,REP,T,D): head h = kvHead * rep + r, as HF's repeat_kv.
    NDArray qs = one(q, store, x, training, params).reshape(bs, t, kv, rep, d);
    NDArray ks = one(k, store, x, training, params).reshape(bs, t, kv, 1, d);
    NDArray vs = one(v, store, x, training, params).reshape(bs, t, kv, 1, d);
    qs = LlamaModel.applyRope(qs.transpose(0, 2, 3, 1, 4), ctx.cos(), ctx.sin());
    ks = LlamaModel.applyRope(ks.transpose(0, 2, 3, 1, 4), ctx.cos(), ctx.sin());
    vs = vs.transpose(0, 2, 3, 1, 4);
    if (ctx.cache() != null) {
      // Generation: append this pass's keys and values (the KV heads, not the repeated ones) and
      // attend over every cached slot; the mask is then (B,1,1,T,cached+T).
      NDArray[] kvAll = ctx.cache().write(layer, ks, vs);
      ks = kvAll[0];
      vs = kvAll[1];
    }
    NDArray scores = qs.matMul(ks.transpose(0, 1, 2, 4, 3)).mul((float) (1.0 / Math.sqrt(d)));
    NDArray out = scores.add(ctx.mask()).softmax(-1).matMul(vs); // (B,KV,REP,T,D)
    out = out.transpose(0, 3, 1, 2, 4).reshape(bs, t, (long) heads * d);
    return o.forward(store, new NDList(out), training, params);
  }

  private static NDArray one(
      ProjectionBlock p,
      ParameterStore store,
      NDArray x,
      boolean training,
      PairList<String, Object> params) {
    return p.forward(store, new NDList(x), training, params).singletonOrThrow();
  }
}
