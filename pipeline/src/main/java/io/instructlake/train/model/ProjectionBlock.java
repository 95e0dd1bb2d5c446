package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A linear projection {@code y = x W^T (+ b)} (HF {@code nn.Linear}), with an optional LoRA branch
 * {@code + scale * B A dropout(x)}: parameters {@code weight}, {@code bias}, {@code lora_A.weight}
 * (r x in) and {@code lora_B.weight} (out x r), PEFT's layout.
 */
final class ProjectionBlock extends HfBlock {
  private final Parameter weight;
  private final Parameter bias;
  private Parameter loraA;
  private Parameter loraB;
  private double loraScale;

  ProjectionBlock(String module, boolean hasBias) {
    super(module);
    weight = param("weight", Parameter.Type.WEIGHT);
    bias = hasBias ? param("bias", Parameter.Type.BIAS) : null;
  }

  /** Adds the LoRA parameters (arrays set by the caller); the output gains {@code scale B A x}. */
  void addLora(double scale) {
    if (loraA != null) {
      throw new IllegalStateException(module() + " already has LoRA");
    }
    loraA = param("lora_A.weight", Parameter.Type.WEIGHT);
    loraB = param("lora_B.weight", Parameter.Type.WEIGHT);
    loraScale = scale;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    ForwardContext ctx = ForwardContext.from(params);
    NDArray x = inputs.head();
    NDArray y = LlamaModel.linear(x, ctx.weight(weight), ctx.weight(bias));
    if (loraA == null) {
      return new NDList(y);
    }
    NDArray in = x;
    LlamaModel m = ctx.model();
    if (ctx.drop() != null && m.loraConfig().dropout() > 0) {
      NDArray mask = ctx.drop().mask(m.manager(), x.getShape(), m.dtype(), module());
      in = x.mul(mask.toType(x.getDataType(), false));
    }
    NDArray delta =
        LlamaModel.linear(LlamaModel.linear(in, ctx.weight(loraA), null), ctx.weight(loraB), null);
    return new NDList(y.add(delta.mul((float) loraScale)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    long out = weight.getArray().getShape().get(0);
    return new Shape[] {in.slice(0, in.dimension() - 1).add(out)};
  }
}
