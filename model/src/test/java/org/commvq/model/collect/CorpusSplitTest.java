package org.commvq.model.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commvq.model.eval.ValidationSplit;
import org.commvq.model.tokenizer.SharedFixtures;
import org.junit.jupiter.api.Test;

class CorpusSplitTest {

    @Test
    void partsKeepTheLastTwoPercentOfTheirLines() {
        int lines = 1234;
        StringBuilder text = new StringBuilder("line 0");
        for (int i = 1; i < lines; i++) {
            text.append("\nline ").append(i);
        }
        List<CorpusSplit.Part> parts = CorpusSplit.parts(text.toString());
        assertEquals(10, parts.size());
        for (int i = 0; i < 10; i++) {
            int size = (i + 1) * lines / 10 - i * lines / 10;
            int held = (int) Math.rint(size * 0.02);
            int last = (i + 1) * lines / 10 - 1;
            int firstHeld = last - held + 1;
            String validation = parts.get(i).validation();
            assertEquals(held, validation.strip().isEmpty() ? 0 : validation.strip().split("\n").length, "part " + i);
            String training = parts.get(i).training();
            assertEquals("line " + (i * lines / 10), training.split("\n")[0]);
            String[] t = training.split("\n");
            assertEquals("line " + (firstHeld - 1), t[t.length - 1], "part " + i);
        }
        assertEquals(ValidationSplit.extract(text.toString()), CorpusSplit.validation(text.toString()));
    }

    /** The tiny model's README counts: held-out bytes per corpus, and the same text as the evaluators' split. */
    @Test
    void sharedCorporaSplitAsTheModelReadmeSays() throws IOException {
        Path dir = SharedFixtures.require("corpora");
        String[][] expected = {{"austen.txt", "84657"}, {"brown.txt", "162425"}, {"paul_graham_essays.txt", "13096"}};
        for (String[] e : expected) {
            String text = Files.readString(dir.resolve(e[0]), StandardCharsets.UTF_8);
            String validation = CorpusSplit.validation(text);
            assertEquals(ValidationSplit.extract(text), validation, e[0]);
            assertEquals(Integer.parseInt(e[1]), validation.getBytes(StandardCharsets.UTF_8).length, e[0]);
            for (String piece : CorpusSplit.training(text)) {
                assertEquals(-1, validation.indexOf(piece.substring(piece.length() - 200)), e[0]
                        + ": a training piece's end shows up in the validation text");
            }
        }
    }
}
