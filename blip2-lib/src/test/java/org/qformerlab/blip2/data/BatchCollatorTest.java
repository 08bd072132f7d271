package org.qformerlab.blip2.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchCollatorTest {

    private static ShapesDataset world;
    private static WordTokenizer tokenizer;

    @BeforeAll
    static void generate() {
        world = ShapesWorld.generate(ShapesWorldConfig.defaults().withCounts(100, 20, 0, 0).withImageSize(32));
        tokenizer = WordTokenizer.fromTexts(world.texts());
    }

    @Test
    void trainingBatchHasTheDocumentedShapesTypesAndValues() {
        BatchCollator collator = new BatchCollator(tokenizer, 12, true);
        SampledBatch plan = new BatchSampler(world.split(Split.TRAIN), 8, 1).epoch(0).get(0);
        try (NDManager manager = NDManager.newBaseManager()) {
            ImageTextBatch batch = collator.collate(manager, plan);
            assertEquals(8, batch.size());
            assertEquals(new Shape(8, 3, 32, 32), batch.images().getShape());
            assertEquals(DataType.FLOAT32, batch.images().getDataType());
            assertEquals(new Shape(8, 12), batch.textIds().getShape());
            assertEquals(DataType.INT64, batch.textIds().getDataType());
            assertEquals(new Shape(8, 12), batch.textMask().getShape());
            assertEquals(DataType.INT64, batch.textMask().getDataType());
            assertArrayEquals(plan.sampleIds(), batch.sampleIds());

            float[] image3 = Arrays.copyOfRange(batch.images().toFloatArray(), 3 * 3 * 32 * 32, 4 * 3 * 32 * 32);
            assertArrayEquals(ImageTensors.pixels(plan.samples().get(3).image()), image3);
            long[] ids = batch.textIds().toLongArray();
            Encoding caption5 = tokenizer.encode(plan.captions().get(5), 12, true);
            for (int t = 0; t < 12; t++) {
                assertEquals(caption5.ids()[t], ids[5 * 12 + t]);
                assertEquals(caption5.mask()[t], batch.textMask().toLongArray()[5 * 12 + t]);
            }
        }
    }

    @Test
    void evaluationImagesAndTextsCollateInOrder() {
        BatchCollator collator = new BatchCollator(tokenizer, 16, false);
        EvaluationSet eval = EvaluationSet.of(world.split(Split.VAL));
        try (NDManager manager = NDManager.newBaseManager()) {
            List<List<Sample>> imageChunks = EvaluationSet.chunks(eval.images(), 6);
            NDArray last = collator.images(manager, imageChunks.get(imageChunks.size() - 1));
            assertEquals(new Shape(2, 3, 32, 32), last.getShape());
            List<List<String>> textChunks = EvaluationSet.chunks(eval.captionTexts(), 32);
            TextTensors texts = collator.texts(manager, textChunks.get(0));
            assertEquals(new Shape(32, 16), texts.ids().getShape());
            assertEquals(tokenizer.encode(eval.captionTexts().get(0), 16, false).ids()[0], texts.ids().toLongArray()[0]);
        }
    }
}
