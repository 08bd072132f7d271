package org.qformerlab.kernel.magic;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.experiment.report.Stage2Result;

/**
 * The stage-2 run {@code %eval caption} and {@code %eval vqa} evaluate: the last one {@code %train
 * stage2} made in this notebook, or a run folder named on the call (its {@code results.json}).
 *
 * @param label where the Q-Former started ({@code STAGE1}, {@code SCRATCH})
 * @param metrics the run's final numbers by name, as {@link Stage2Result#metrics()} writes them
 * @param result the run itself when it was trained in this notebook (examples, majority answers), else null
 */
record Stage2Runs(String label, Map<String, Double> metrics, Stage2Result result) {

    static Stage2Runs of(MagicArgs args, MagicContext context) throws IOException {
        args.atMostPositionals(2);
        if (args.has("split")) {
            throw new MagicUsageException(args.spec(), "--split is for %eval retrieval: captioning and VQA are"
                    + " evaluated on the test images");
        }
        String folder = args.positional(1, null);
        if (folder != null) {
            return fromFolder(args.spec(), Path.of(folder));
        }
        Stage2Result r = context.state().lastResult(Stage2Result.class).orElseThrow(() -> new MagicUsageException(
                args.spec(), "no stage-2 run in this notebook yet: run %train stage2 first, or name a stage-2 run"
                        + " folder"));
        return new Stage2Runs(r.init().name(), r.metrics(), r);
    }

    static Stage2Runs fromFolder(MagicSpec spec, Path folder) throws IOException {
        JsonNode root = RunResults.read(spec, folder, "stage-2");
        JsonNode metrics = root.path("metrics");
        if (!metrics.isObject() || !metrics.has("cider")) {
            throw new MagicUsageException(spec, folder.resolve("results.json") + " holds no captioning results (is it a"
                    + " stage-2 run?)");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        metrics.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
        return new Stage2Runs(root.path("init").asText("?"), m, null);
    }

    /**
     * The number to three decimals (the bound run keeps the exact value); NaN when absent or
     * undefined (attribute accuracy of captions that named no colour, say).
     */
    double rounded(String name) {
        Double v = metrics.get(name);
        return v == null || v.isNaN() ? Double.NaN : Math.round(v * 1000) / 1000.0;
    }

    /** "the stage-1 checkpoint" or "scratch", for table titles. */
    String from() {
        return label.equals("SCRATCH") ? "Q-Former from scratch" : "Q-Former from stage 1";
    }
}
