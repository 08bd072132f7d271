package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What {@code --quick} changes: the same study with fewer steps (and usually fewer seeds), to check
 * that it runs end to end before spending hours on it.
 *
 * @param set dotted config path to value, laid over the base config (e.g. {@code train.steps: 20})
 * @param seeds replaces the study's seeds (a count or a list); left out, the seeds stay
 */
public record QuickSpec(Map<String, JsonNode> set, JsonNode seeds) {
}
