package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** SwiGLU MLP (HF {@code LlamaMLP}): {@code down(silu(gate(x)) * up(x))}. */
final class MlpBlock extends HfBlock {
  private final ProjectionBlock gate;
  private final ProjectionBlock up;
  private final ProjectionBlock down;

  MlpBlock(String module) {
    super(module);
    gate = addChildBlock("gate_proj", new ProjectionBlock(module + ".gate_proj", false));
    up = addChildBlock("up_proj", new ProjectionBlock(module + ".up_proj", false));
    down = addChildBlock("down_proj", new ProjectionBlock(module + ".down_proj", false));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray g = gate.forward(store, inputs, training, params).singletonOrThrow();
    NDArray u = up.forward(store, inputs, training, params).singletonOrThrow();
    NDArray act = g.mul(g.getNDArrayInternal().sigmoid()).mul(u);
    return down.forward(store, new NDList(act), training, params);
  }
}
