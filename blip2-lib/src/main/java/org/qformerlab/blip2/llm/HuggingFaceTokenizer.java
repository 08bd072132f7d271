package org.qformerlab.blip2.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.qformerlab.blip2.data.DataFileException;

/**
 * A Hugging Face fast tokenizer read from its {@code tokenizer.json} (BPE for OPT, Unigram for
 * FlanT5, WordLevel/WordPiece for small tests), run by the Rust {@code tokenizers} library through
 * DJL. Its native library comes inside the DJL jar, so nothing is downloaded (works with
 * {@code ai.djl.offline=true}).
 *
 * <p>{@link #encode} applies the file's normaliser, pre-tokeniser, model and post-processor (which
 * may add BOS/EOS), without truncation or padding. The special ids are the file's
 * {@code added_tokens} marked {@code "special": true}. The file is checked as JSON first, so a
 * missing, truncated or foreign file gives a message that names it rather than a native error.
 */
public final class HuggingFaceTokenizer implements Tokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer;
    private final Set<Long> specialIds;
    private final Path file;

    private HuggingFaceTokenizer(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer, Set<Long> specialIds,
            Path file) {
        this.tokenizer = tokenizer;
        this.specialIds = Collections.unmodifiableSet(specialIds);
        this.file = file;
    }

    /**
     * Loads {@code tokenizer.json} (a file, or a directory that holds one).
     *
     * @throws NoSuchFileException if there is no such file
     * @throws DataFileException if it is not valid JSON or not a Hugging Face tokenizer
     */
    public static HuggingFaceTokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null,
                    "tokenizer file not found; a Hugging Face model folder has its tokenizer in tokenizer.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new DataFileException(file, "not valid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + " (" + e.getOriginalMessage()
                    + "): the file is truncated or not a tokenizer.json; re-download it", e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new DataFileException(file, "not a Hugging Face tokenizer: expected a JSON object with a 'model'"
                    + " object (the tokenizers library's format); save the tokenizer with save_pretrained()");
        }
        Set<Long> special = new LinkedHashSet<>();
        for (JsonNode t : root.path("added_tokens")) {
            if (t.path("special").asBoolean(false) && t.has("id")) {
                special.add(t.get("id").asLong());
            }
        }
        try {
            var djl = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            return new HuggingFaceTokenizer(djl, special, file);
        } catch (RuntimeException e) {
            throw new DataFileException(file, "the tokenizers library cannot read it (" + e.getMessage()
                    + "); re-download it or save the tokenizer with save_pretrained()", e);
        }
    }

    @Override
    public long[] encode(String text) {
        return tokenizer.encode(text, true, false).getIds();
    }

    @Override
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    @Override
    public Set<Long> specialIds() {
        return specialIds;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "HuggingFaceTokenizer[" + file + "]";
    }
}
