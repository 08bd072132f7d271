package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Mixed-precision compute for a forward pass, in the manner of PyTorch's {@code torch.autocast}:
 * while an autocast is open on a thread, the operations that gain from a narrow format (linear
 * layers, matrix products) read their operands cast to the compute type ({@code float16} or
 * {@code bfloat16}), and the ones that need range and precision (softmax, log-softmax, layer
 * norms, losses) read theirs in float32. Nothing else changes: the parameters stay float32
 * (the <em>master weights</em> that AdamW updates), and the casts are ordinary operations of the
 * autograd graph, so the gradient of a cast copy flows back, converted, to its float32 master.
 *
 * <p>The model's code marks the two kinds of operand with {@link #compute} and {@link #full}. With
 * no autocast open both return their argument itself, so a float32 run performs exactly the
 * operations it did before autocast existed, bit for bit.
 *
 * <p>A cast is {@link #differentiable}: DJL's {@code toType} is not recorded by autograd (its result
 * has no gradient function, measured with DJL 0.35.1 / PyTorch 2.7.1), so a cast made with it
 * would cut every weight behind it off from its gradient.
 *
 * <p>Casts of arrays that outlive the step (parameters, a dataset's features) are made once per
 * autocast and owned by its scope, so they are closed with the step; casts of the step's own
 * activations belong to the activation's manager, like any other result.
 *
 * <pre>{@code
 * try (NDManager scope = model.newSubManager(); Autocast ignored = Autocast.open(Precision.FLOAT16, scope)) {
 *     NDArray loss = objective.forward(scope, ...);   // matmuls in float16, softmax and loss in float32
 * }
 * }</pre>
 */
public final class Autocast implements AutoCloseable {

    private static final ThreadLocal<Autocast> CURRENT = new ThreadLocal<>();

    private final DataType compute;
    private final NDManager scope;
    private final Autocast previous;
    private final Map<NDArray, NDArray> longLivedCasts = new IdentityHashMap<>();

    private Autocast(DataType compute, NDManager scope, Autocast previous) {
        this.compute = compute;
        this.scope = scope;
        this.previous = previous;
    }

    /**
     * Opens an autocast to {@code precision} on this thread until closed; {@code float32} opens
     * none (the forward runs as it always did). Check the precision against the device first
     * ({@link Precision#check}).
     *
     * @param scope the step's manager: it owns the casts of parameters and other long-lived arrays
     */
    public static Autocast open(Precision precision, NDManager scope) {
        Autocast previous = CURRENT.get();
        Autocast opened = new Autocast(precision.reduced() ? precision.dataType() : null, scope, previous);
        CURRENT.set(opened);
        return opened;
    }

    /** The compute type of the autocast open on this thread; float32 when none is. */
    public static DataType computeType() {
        Autocast a = CURRENT.get();
        return a == null || a.compute == null ? DataType.FLOAT32 : a.compute;
    }

    /**
     * An operand of a linear layer or a matrix product: {@code x} cast to the compute type when an
     * autocast is open and {@code x} is float32; otherwise {@code x} itself.
     */
    public static NDArray compute(NDArray x) {
        Autocast a = CURRENT.get();
        if (x == null || a == null || a.compute == null || x.getDataType() != DataType.FLOAT32) {
            return x;
        }
        return a.cast(x, a.compute);
    }

    /**
     * An operand of a softmax, a normalisation or a loss: {@code x} in float32 when it is in a
     * reduced format (an autocast produced it); otherwise {@code x} itself.
     */
    public static NDArray full(NDArray x) {
        if (x == null || !(x.getDataType() == DataType.FLOAT16 || x.getDataType() == DataType.BFLOAT16)) {
            return x;
        }
        Autocast a = CURRENT.get();
        return a == null ? differentiable(x, DataType.FLOAT32, x.getManager()) : a.cast(x, DataType.FLOAT32);
    }

    /**
     * {@code x} converted to {@code type} such that autograd carries the gradient back to {@code x}
     * (converted to {@code x}'s type): a zero array of {@code type} to which {@code x} is added in
     * place. PyTorch keeps an in-place result in the target's type, rounds once (so the values are
     * exactly those of a plain cast) and records the addition, whose gradient for {@code x} is the
     * incoming gradient in {@code x}'s type.
     *
     * @param owner the manager the result belongs to
     */
    public static NDArray differentiable(NDArray x, DataType type, NDManager owner) {
        NDArray out = owner.zeros(x.getShape(), type);
        out.addi(x);
        return out;
    }

    private NDArray cast(NDArray x, DataType type) {
        if (!outlivesScope(x)) {
            return differentiable(x, type, x.getManager()); // the step's own activation: its manager
        }
        // a parameter's manager lives as long as the model; its cast lives one step, in the scope,
        // and is reused by every layer of the step: no layer's NDScope may close it on return
        return longLivedCasts.computeIfAbsent(x, w -> {
            NDArray cast = differentiable(w, type, scope);
            NDScope.unregister(cast);
            return cast;
        });
    }

    /** Whether {@code x}'s manager is neither this autocast's scope nor one of its sub-managers. */
    private boolean outlivesScope(NDArray x) {
        for (NDManager m = x.getManager(); m != null; m = m.getParentManager()) {
            if (m == scope) {
                return false;
            }
            if (m.getParentManager() == m) {
                break; // the system manager is its own parent
            }
        }
        return true;
    }

    /** Ends the autocast; the casts it made stay with the scope (autograd needs them for backward). */
    @Override
    public void close() {
        longLivedCasts.clear();
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
