package org.qformerlab.blip2.qformer;

import ai.djl.ndarray.NDArray;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.nn.Module;

/** LAVIS's {@code Qformer} ({@code BertLMHeadModel}): the encoder ({@code bert}) and its LM head ({@code cls}). */
public final class QFormerWithLmHead extends Module {

    private final QFormerEncoder bert;
    private final LmHead lmHead;

    public QFormerWithLmHead(QFormerConfig c) {
        this.bert = module("bert", new QFormerEncoder(c));
        this.lmHead = module("cls.predictions", new LmHead(c));
    }

    public QFormerEncoder bert() {
        return bert;
    }

    /** Next-token logits [B, T, V] for text hidden states [B, T, H]. */
    public NDArray lmLogits(NDArray textHidden) {
        return lmHead.forward(textHidden, bert.embeddings().wordEmbeddingWeight());
    }
}
