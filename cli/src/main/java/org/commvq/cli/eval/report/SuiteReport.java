package org.commvq.cli.eval.report;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;
import org.commvq.model.eval.MemoryBudget;
import org.commvq.model.eval.PerplexityResult;
import org.commvq.model.eval.RetrievalGrid;

/**
 * Everything `commvq eval all` measured, as written to report.json.
 *
 * @param caches  the cache types that ran, in the order of KvCacheFactory.types()
 * @param skipped the types that did not, with the reason
 */
public record SuiteReport(String created, ModelInfo model, Settings settings, List<CacheEntry> caches,
                          List<Skipped> skipped, MemoryReport memory) {

    public record ModelInfo(String path, String name, String weights, long parameters, int layers, int kvHeads,
                            int headDim, int contextLength) {
    }

    public record Settings(boolean quick, String text, int ctx, int stride, int chunk, int tokens,
                           String haystack, String essays, int[] lengths, double[] depths, int passkeyTrials,
                           int niahTrials, long seed, String codebookDir) {
    }

    public record CacheEntry(String type, double bitsPerValue, double bytesPerToken, PerplexityEntry perplexity,
                             RetrievalGrid passkey, RetrievalGrid niah) {
    }

    public record PerplexityEntry(long tokens, double nats, long bytes, double perplexity, double natsPerToken,
                                  double bitsPerByte, double seconds) {
        public static PerplexityEntry of(PerplexityResult r) {
            return new PerplexityEntry(r.tokens(), r.nats(), r.bytes(), r.perplexity(), r.natsPerToken(),
                    r.bitsPerByte(), r.seconds());
        }
    }

    public record Skipped(String type, String reason) {
    }

    /** The memory projection: which shape, weights and budget, and each type's plan and totals. */
    public record MemoryReport(String shape, int trainedContext, String weights, long budgetBytes, long weightBytes,
                               long activationBytes, long logitsBytes, long[] contexts, List<MemoryRow> rows) {

        /** @param codebookBytes a type's codebook bytes, 0 where unknown */
        public static MemoryReport of(String shapeName, MemoryBudget budget, long[] contexts, List<String> types,
                                      ToLongFunction<String> codebookBytes) {
            List<MemoryRow> rows = types.stream().map(type -> {
                long cb = codebookBytes.applyAsLong(type);
                long[] totals = Arrays.stream(contexts).map(c -> budget.totalBytes(type, cb, c)).toArray();
                return new MemoryRow(budget.plan(type, cb), totals);
            }).toList();
            return new MemoryReport(shapeName, budget.shape().contextLength(), budget.weights().name(),
                    budget.budget(), budget.weightBytes(), budget.activationBytes(), budget.logitsBytes(),
                    contexts.clone(), rows);
        }
    }

    /** @param totals bytes needed at each of the report's contexts */
    public record MemoryRow(MemoryBudget.Plan plan, long[] totals) {
    }
}
