package org.commvq.model.synth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.commvq.cache.ModelShape;
import org.commvq.model.ShapePresets;
import org.commvq.model.forward.LayerWeights;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.synth.SyntheticTensors.Matrix;
import org.commvq.model.tokenizer.Llama3Tokenizer;

/**
 * {@code --model synthetic:SHAPE[@SEED]}: a model of a preset shape (e.g. llama-3.1-8b) with seeded Q8_0 weights
 * that exist in no file. Its matrices generate their rows when read ({@link SyntheticQ8Matrix}), so a GPU session
 * builds its device copy straight from the generator, and the weights equal those of {@code commvq synth --shape
 * SHAPE --type q8_0 --seed SEED}. For speed and memory measurements of shapes whose real weights are not here.
 */
public final class SyntheticModel {
    public static final String PREFIX = "synthetic:";

    private SyntheticModel() {
    }

    public static boolean isSpec(String model) {
        return model.startsWith(PREFIX);
    }

    /** Opens "synthetic:SHAPE" (seed 1) or "synthetic:SHAPE@SEED"; a bad spec is an IllegalArgumentException. */
    public static LoadedModel open(String spec) {
        String body = spec.substring(PREFIX.length());
        int at = body.indexOf('@');
        String shapeName = at < 0 ? body : body.substring(0, at);
        long seed = 1;
        if (at >= 0) {
            try {
                seed = Long.parseLong(body.substring(at + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--model " + spec + ": the seed after '@' must be an integer");
            }
        }
        ModelShape shape;
        try {
            shape = ShapePresets.get(shapeName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--model " + spec + ": '" + shapeName + "' is not one of "
                    + String.join(", ", ShapePresets.names()));
        }
        SyntheticVocabulary v = SyntheticVocabulary.of(shape.vocab());
        Llama3Tokenizer tokenizer = Llama3Tokenizer.fromVocabulary(v.tokens(), List.of(), v.types(), v.bos(), v.eos());
        LlamaWeights weights = weights(shape, seed);
        weights.check(shape);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("synthetic.shape", shapeName);
        metadata.put("synthetic.seed", Long.toString(seed));
        return new LoadedModel(Path.of(spec), "synthetic (generated, no file)", "synthetic-" + shapeName, "Q8_0",
                shape, weights, tokenizer, tokenizer.vocabularyHash(), metadata, () -> { });
    }

    private static LlamaWeights weights(ModelShape s, long seed) {
        float[] ones = new float[s.dim()];
        Arrays.fill(ones, 1f);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < s.layers(); i++) {
            layers.add(new LayerWeights(ones,
                    matrix(s.queryDim(), s.dim(), seed, i, Matrix.Q),
                    matrix(s.kvDim(), s.dim(), seed, i, Matrix.K),
                    matrix(s.kvDim(), s.dim(), seed, i, Matrix.V),
                    matrix(s.dim(), s.queryDim(), seed, i, Matrix.O),
                    ones,
                    matrix(s.ffnDim(), s.dim(), seed, i, Matrix.GATE),
                    matrix(s.ffnDim(), s.dim(), seed, i, Matrix.UP),
                    matrix(s.dim(), s.ffnDim(), seed, i, Matrix.DOWN)));
        }
        return new LlamaWeights(new SyntheticQ8Matrix(s.vocab(), s.dim(), SyntheticTensors.embedding(seed)), layers,
                ones, new SyntheticQ8Matrix(s.vocab(), s.dim(), SyntheticTensors.output(seed, s)));
    }

    private static SyntheticQ8Matrix matrix(int rows, int cols, long seed, int layer, Matrix m) {
        return new SyntheticQ8Matrix(rows, cols, SyntheticTensors.layer(seed, layer, m));
    }
}
