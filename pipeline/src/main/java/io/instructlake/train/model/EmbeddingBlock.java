package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Token embedding: ids {@code (B,T)} to rows of {@code weight} {@code (vocab, hidden)}. */
final class EmbeddingBlock extends HfBlock {
  private final Parameter weight;

  EmbeddingBlock(String module) {
    super(module);
    this.weight = param("weight", Parameter.Type.WEIGHT);
  }

  /** The embedding matrix (also the LM head when embeddings are tied). */
  Parameter weight() {
    return weight;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    ForwardContext ctx = ForwardContext.from(params);
    NDArray ids = inputs.head();
    return ids.getNDArrayInternal().embedding(ids, ctx.weight(weight), SparseFormat.DENSE);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].add(weight.getArray().getShape().get(1))};
  }
}
