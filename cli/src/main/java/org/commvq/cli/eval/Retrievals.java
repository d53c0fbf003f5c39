package org.commvq.cli.eval;

import java.io.PrintWriter;
import org.commvq.model.eval.GreedyCompletion;
import org.commvq.model.eval.RetrievalGrid;
import org.commvq.model.eval.RetrievalTest;
import org.commvq.model.eval.TextCodec;

/** Runs a retrieval grid with a progress bar, after checking that its longest prompt fits the cache. */
final class Retrievals {
    private Retrievals() {
    }

    static void checkFits(RetrievalTest test, int capacity) {
        if (test.maxLength() > capacity) {
            throw new IllegalArgumentException("--lengths up to " + test.maxLength() + " exceed the cache's --ctx-size "
                    + capacity);
        }
    }

    static RetrievalGrid run(PrintWriter err, String label, RetrievalTest test, GreedyCompletion model,
                             TextCodec codec) {
        try (ProgressBar bar = new ProgressBar(err, label, test.promptCount())) {
            return test.run(model, codec, bar);
        }
    }
}
