package org.qformerlab.blip2.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A word-level tokenizer for a closed vocabulary such as the shapes world's.
 *
 * <p>Text is lower-cased and split into runs of letters/digits and single punctuation marks, so
 * {@code "What colour?"} becomes {@code what}, {@code colour}, {@code ?}. Ids 0-4 are the special
 * tokens ({@link #PAD} = 0, {@link #CLS} = 1, {@link #DEC} = 2, {@link #UNK} = 3, {@link #EOS} = 4);
 * the vocabulary's words follow in sorted order, so the same texts always give the same ids.
 * Words outside the vocabulary become {@link #UNK}.
 */
public final class WordTokenizer {

    public static final String PAD = "[PAD]";
    /** Starts a text for the Q-Former's ITC/ITM; its output is the text's summary vector. */
    public static final String CLS = "[CLS]";
    /** Replaces {@link #CLS} as the first token for image-grounded generation (ITG). */
    public static final String DEC = "[DEC]";
    public static final String UNK = "[UNK]";
    /** Begin and end of text for the decoder-only language model (OPT's convention). */
    public static final String EOS = "</s>";

    public static final int PAD_ID = 0;
    public static final int CLS_ID = 1;
    public static final int DEC_ID = 2;
    public static final int UNK_ID = 3;
    public static final int EOS_ID = 4;

    /** The special tokens, in id order. */
    public static final List<String> SPECIALS = List.of(PAD, CLS, DEC, UNK, EOS);

    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+|[^\\s\\p{L}\\p{N}]");
    /** Punctuation written without a space before it when decoding. */
    private static final String CLOSING = ".,?!;:)";
    private static final String FORMAT = "qformerlab-word-tokenizer";
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> tokens;
    private final Map<String, Integer> ids;

    private WordTokenizer(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            ids.put(tokens.get(i), i);
        }
    }

    /** A tokenizer whose vocabulary is every word in the texts, sorted, after the special tokens. */
    public static WordTokenizer fromTexts(Collection<String> texts) {
        TreeSet<String> words = new TreeSet<>();
        for (String text : texts) {
            words.addAll(tokenize(text));
        }
        List<String> all = new ArrayList<>(SPECIALS);
        all.addAll(words);
        return new WordTokenizer(all);
    }

    /** Lower-cases and splits the text into words and punctuation marks. */
    public static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Number of ids, special tokens included. */
    public int vocabSize() {
        return tokens.size();
    }

    /** Every token in id order (specials first). */
    public List<String> vocabulary() {
        return tokens;
    }

    /** The id of a token, {@link #UNK_ID} if it is not in the vocabulary. */
    public int id(String token) {
        return ids.getOrDefault(token, UNK_ID);
    }

    /** The token with the given id. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + tokens.size() + ")");
        }
        return tokens.get(id);
    }

    /**
     * The text as exactly {@code maxLen} ids: {@code [CLS]} first if asked for, then the words,
     * truncated to fit (the {@code [CLS]} is kept), then {@code [PAD]}s.
     */
    public Encoding encode(String text, int maxLen, boolean addCls) {
        if (maxLen < 1) {
            throw new IllegalArgumentException("maxLen must be >= 1, got " + maxLen);
        }
        int[] out = new int[maxLen];
        int[] mask = new int[maxLen];
        int n = 0;
        if (addCls) {
            out[n] = CLS_ID;
            mask[n++] = 1;
        }
        for (String token : tokenize(text)) {
            if (n == maxLen) {
                break;
            }
            out[n] = id(token);
            mask[n++] = 1;
        }
        // the rest is already PAD_ID (0) with mask 0
        return new Encoding(out, mask);
    }

    /** Every text encoded as by {@link #encode}. */
    public BatchEncoding encodeAll(List<String> texts, int maxLen, boolean addCls) {
        int[][] out = new int[texts.size()][];
        int[][] mask = new int[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            Encoding e = encode(texts.get(i), maxLen, addCls);
            out[i] = e.ids();
            mask[i] = e.mask();
        }
        return new BatchEncoding(out, mask);
    }

    /**
     * The words for the ids, special tokens (padding included) left out; closing punctuation is
     * attached to the word before it, so {@code decode(encode(t))} gives back a lower-cased {@code t}
     * for texts written in that style.
     */
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            String token = token(id);
            if (id < SPECIALS.size()) {
                continue;
            }
            boolean attach = token.length() == 1 && CLOSING.indexOf(token.charAt(0)) >= 0;
            if (text.length() > 0 && !attach) {
                text.append(' ');
            }
            text.append(token);
        }
        return text.toString();
    }

    /** Writes the vocabulary as JSON (to a temporary file first, then renamed into place). */
    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode array = root.putArray("tokens");
        tokens.forEach(array::add);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a tokenizer written by {@link #save}.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws DataFileException   if it is not valid JSON or not a well-formed vocabulary
     */
    public static WordTokenizer load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "tokenizer file not found");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new DataFileException(file, "not valid JSON at line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new DataFileException(file, "expected a JSON object with a 'tokens' array");
        }
        if (!FORMAT.equals(root.path("format").asText(null))) {
            throw new DataFileException(file, "field 'format' must be \"" + FORMAT + "\", got " + root.get("format"));
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw new DataFileException(file, "unsupported version " + root.get("version") + ", expected " + VERSION);
        }
        JsonNode array = root.get("tokens");
        if (array == null || !array.isArray()) {
            throw new DataFileException(file, "missing array 'tokens'");
        }
        List<String> tokens = new ArrayList<>();
        Map<String, Integer> firstSeen = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode node = array.get(i);
            if (!node.isTextual() || node.asText().isBlank()) {
                throw new DataFileException(file, "tokens[" + i + "] must be a non-blank string, got " + node);
            }
            String token = node.asText();
            Integer previous = firstSeen.putIfAbsent(token, i);
            if (previous != null) {
                throw new DataFileException(file, "tokens[" + i + "] \"" + token + "\" repeats tokens[" + previous + "]");
            }
            if (i < SPECIALS.size() && !token.equals(SPECIALS.get(i))) {
                throw new DataFileException(file, "tokens[" + i + "] must be the special token \"" + SPECIALS.get(i)
                        + "\", got \"" + token + "\"");
            }
            tokens.add(token);
        }
        if (tokens.size() < SPECIALS.size()) {
            throw new DataFileException(file, "'tokens' has " + tokens.size() + " entries; the " + SPECIALS.size()
                    + " special tokens " + SPECIALS + " must come first");
        }
        return new WordTokenizer(tokens);
    }

    @Override
    public String toString() {
        return "WordTokenizer[vocabSize=" + vocabSize() + "]";
    }
}
