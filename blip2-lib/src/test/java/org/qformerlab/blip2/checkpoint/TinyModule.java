package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.qformerlab.blip2.nn.Module;

/** A module that is only named parameters of given shapes, for loading tests. */
final class TinyModule extends Module {

    TinyModule(Map<String, Shape> shapes, float value) {
        shapes.forEach((name, shape) -> parameter(name, shape, (m, s, t) -> m.full(s, value, t)));
    }

    /** The module with its parameters made in {@code manager}, every value {@code value}. */
    static TinyModule of(NDManager manager, Map<String, Shape> shapes, float value) {
        TinyModule m = new TinyModule(shapes, value);
        m.initialize(manager, DataType.FLOAT32);
        return m;
    }

}
