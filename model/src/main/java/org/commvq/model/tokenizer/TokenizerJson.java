package org.commvq.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.commvq.model.ModelFormatException;

/**
 * Reads an HF {@code tokenizer.json} of the Llama 3 kind. Anything this tokenizer would silently get wrong (another
 * model type, a normalizer, a different split regex) is refused instead.
 */
final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_BOS = "<|begin_of_text|>";
    private static final String DEFAULT_EOS = "<|end_of_text|>";

    private TokenizerJson() {
    }

    static Llama3Tokenizer read(Path file) {
        JsonNode root = parse(file);
        JsonNode model = root.path("model");
        if (!model.path("type").asText("BPE").equals("BPE") || !model.path("vocab").isObject()) {
            throw new ModelFormatException(file, "expected a BPE model with a vocab object under \"model\"");
        }
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            throw new ModelFormatException(file, "has a normalizer (" + root.path("normalizer").path("type").asText()
                    + "); the Llama 3 tokenizer has none");
        }
        checkPreTokenizer(file, root.path("pre_tokenizer"));

        Map<String, Integer> vocab = new HashMap<>();
        int size = 0;
        for (Map.Entry<String, JsonNode> e : model.get("vocab").properties()) {
            int id = id(file, "model.vocab[\"" + e.getKey() + "\"]", e.getValue());
            vocab.put(e.getKey(), id);
            size = Math.max(size, id + 1);
        }
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode a : root.path("added_tokens")) {
            String content = a.path("content").asText(null);
            if (content == null || content.isEmpty()) {
                throw new ModelFormatException(file, "added_tokens entry " + a + " has no content");
            }
            int id = id(file, "added token " + content, a.path("id"));
            added.add(new AddedToken(id, content, a.path("special").asBoolean(false)));
            size = Math.max(size, id + 1);
        }
        String[] tokens = new String[size];
        vocab.forEach((t, id) -> tokens[id] = t);
        for (AddedToken a : added) {
            tokens[a.id()] = a.content();
        }
        List<String[]> merges = merges(file, model.path("merges"));
        boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);

        Map<String, Integer> addedIds = new HashMap<>();
        added.forEach(a -> addedIds.put(a.content(), a.id()));
        Map<String, String> config = specialTokensOfConfig(file.resolveSibling("tokenizer_config.json"));
        int bos = lookup(addedIds, vocab, firstTemplateToken(root.path("post_processor")),
                config.get("bos_token"), DEFAULT_BOS);
        int eos = lookup(addedIds, vocab, config.get("eos_token"), DEFAULT_EOS);
        try {
            return new Llama3Tokenizer(tokens, vocab, merges, ignoreMerges, added, bos, eos);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }

    private static JsonNode parse(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer JSON (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")", e);
        }
    }

    private static void checkPreTokenizer(Path file, JsonNode pre) {
        List<String> regexes = new ArrayList<>();
        collectSplitRegexes(pre, regexes);
        if (!regexes.equals(List.of(Llama3PreTokenizer.REGEX))) {
            throw new ModelFormatException(file, "expected the Llama 3 Split pre-tokenizer regex, found "
                    + (regexes.isEmpty() ? "none" : regexes));
        }
    }

    private static void collectSplitRegexes(JsonNode node, List<String> out) {
        if ("Split".equals(node.path("type").asText())) {
            out.add(node.path("pattern").path("Regex").asText(node.path("pattern").path("String").asText()));
        }
        for (JsonNode child : node.path("pretokenizers")) {
            collectSplitRegexes(child, out);
        }
    }

    private static List<String[]> merges(Path file, JsonNode merges) {
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (JsonNode m : merges) {
            if (m.isTextual()) {
                String[] parts = m.textValue().split(" ", -1);
                if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                    throw new ModelFormatException(file, "merge \"" + m.textValue() + "\" is not two tokens separated "
                            + "by one space");
                }
                pairs.add(parts);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                pairs.add(new String[] {m.get(0).textValue(), m.get(1).textValue()});
            } else {
                throw new ModelFormatException(file, "merge " + m + " is neither \"a b\" nor [\"a\", \"b\"]");
            }
        }
        return pairs;
    }

    private static int id(Path file, String what, JsonNode node) {
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 0) {
            throw new ModelFormatException(file, what + " has id " + node + ", expected a non-negative integer");
        }
        return node.intValue();
    }

    /** The token the post-processor puts first (BOS), if it is a template of the usual kind. */
    private static String firstTemplateToken(JsonNode post) {
        JsonNode first = post.path("single").path(0).path("SpecialToken").path("id");
        return first.isTextual() ? first.textValue() : null;
    }

    private static Map<String, String> specialTokensOfConfig(Path config) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(config)) {
            return out;
        }
        JsonNode root = parse(config);
        for (String key : List.of("bos_token", "eos_token")) {
            JsonNode v = root.path(key);
            String content = v.isTextual() ? v.textValue() : v.path("content").asText(null);
            if (content != null) {
                out.put(key, content);
            }
        }
        return out;
    }

    private static int lookup(Map<String, Integer> added, Map<String, Integer> vocab, String... candidates) {
        for (String c : candidates) {
            if (c == null) {
                continue;
            }
            Integer id = added.containsKey(c) ? added.get(c) : vocab.get(c);
            if (id != null) {
                return id;
            }
        }
        return -1;
    }
}
