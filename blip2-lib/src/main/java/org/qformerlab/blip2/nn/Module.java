package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block whose parameters and sub-modules carry the names of the reference implementation.
 *
 * <p>Every module of the model extends this class. It registers its sub-modules and parameters
 * under explicit names ({@code "attention.self.query"}, {@code "weight"}), so that
 * {@link #namedParameters()} yields exactly the dotted names that LAVIS writes into its
 * checkpoints ({@code Qformer.bert.encoder.layer.0.attention.self.query.weight}). DJL's own
 * child numbering ({@code 01query}) is kept for DJL and never parsed.
 *
 * <p>Modules know their dimensions when they are built (from the config), so initialisation needs
 * no shape inference: {@link #initialize(NDManager, DataType, Shape...)} may be called with no
 * shapes. The forward passes are typed methods on each module (a Q-Former layer takes queries,
 * text, masks and image keys/values, which an {@link NDList} would only hide); parameters live on
 * the device of the manager that initialised them, chosen once by {@link Devices}.
 */
public abstract class Module extends AbstractBlock {

    private final Map<String, Module> modules = new LinkedHashMap<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final java.util.Set<String> inlined = new java.util.HashSet<>();

    /** Registers a sub-module under the name the reference implementation gives it. */
    protected final <M extends Module> M module(String name, M module) {
        addChildBlock(name, module);
        modules.put(name, module);
        return module;
    }

    /**
     * Registers a sub-module whose parameters keep their own names, without a prefix: a wrapper
     * that adds parts beside an existing model (stage 2 adds {@code opt_proj} and {@code opt_model}
     * beside the stage-1 {@code query_tokens}, {@code ln_vision}, {@code Qformer}) keeps the names
     * the reference checkpoints use.
     */
    protected final <M extends Module> M inline(String djlName, M module) {
        addChildBlock(djlName, module);
        modules.put(djlName, module);
        inlined.add(djlName);
        return module;
    }

    /** Registers a parameter of a known shape with its initialiser. */
    protected final Parameter parameter(String name, Shape shape, Initializer initializer) {
        Parameter p =
                addParameter(
                        Parameter.builder()
                                .setName(name)
                                .setType(Parameter.Type.OTHER)
                                .optShape(shape)
                                .optInitializer(initializer)
                                .build());
        parameters.put(name, p);
        return p;
    }

    /** The direct sub-modules, by name. */
    public final Map<String, Module> modules() {
        return Collections.unmodifiableMap(modules);
    }

    /** Every parameter of this module and its sub-modules, under dotted reference names. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        modules.forEach((name, m) -> m.collect(inlined.contains(name) ? prefix : prefix + name + ".", out));
    }

    /** Number of scalar weights, optionally only those that train. */
    public final long parameterCount(boolean trainableOnly) {
        long n = 0;
        for (Parameter p : namedParameters().values()) {
            if (!trainableOnly || p.requiresGradient()) {
                n += p.getShape().size();
            }
        }
        return n;
    }

    /** The value of a parameter of this module (it must have been initialised). */
    protected static NDArray value(Parameter p) {
        return p.getArray();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Module m : modules.values()) {
            m.initialize(manager, dataType);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " has typed inputs: call its forward method directly");
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " has typed inputs: call its forward method directly");
    }
}
