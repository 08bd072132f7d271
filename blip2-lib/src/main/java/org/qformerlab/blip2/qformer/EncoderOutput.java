package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;
import org.qformerlab.blip2.nn.KeyValue;

/**
 * The encoder's last hidden states [B, Q + T, H] and each layer's self-attention keys/values
 * (LAVIS's {@code past_key_values}), which let ITG attend to the queries without running them again.
 */
public record EncoderOutput(NDArray hidden, int numQueries, List<KeyValue> cache) {

    /** Hidden states of the query positions [B, Q, H]. */
    public NDArray queries() {
        return numQueries == hidden.getShape().get(1) ? hidden : hidden.get(new NDIndex(":, :{}", numQueries));
    }

    /** Hidden states of the text positions [B, T, H]. */
    public NDArray text() {
        return numQueries == 0 ? hidden : hidden.get(new NDIndex(":, {}:", numQueries));
    }
}
