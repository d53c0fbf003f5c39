package org.commvq.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    private static String lines(int n) {
        return IntStream.range(0, n).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")) + "\n";
    }

    @Test
    void keepsTheLastTwoPercentOfEachTenthAtLineBoundaries() {
        // 1000 lines and the empty string after the last '\n': 1001 lines, parts of 100 or 101, 2 held out each.
        List<String> pieces = ValidationSplit.pieces(lines(1000));
        assertEquals(10, pieces.size());
        assertEquals("line 98\nline 99\n", pieces.getFirst());
        assertEquals("line 198\nline 199\n", pieces.get(1));
        // The last part is lines 900..1000, whose last line is the empty string; stripping drops it.
        assertEquals("line 999\n", pieces.getLast());
    }

    @Test
    void roundsHalfToEvenAsPythonDoes() {
        // 250 lines: parts of 25 lines, 0.02 × 25 = 0.5 rounds to 0, so every piece is empty (just '\n').
        String text = IntStream.range(0, 250).mapToObj(i -> "l" + i).collect(Collectors.joining("\n"));
        assertEquals("\n".repeat(10), ValidationSplit.extract(text));
        // 750 lines: parts of 75, 1.5 rounds to 2.
        String longer = IntStream.range(0, 750).mapToObj(i -> "l" + i).collect(Collectors.joining("\n"));
        assertEquals("l73\nl74\n", ValidationSplit.pieces(longer).getFirst());
    }

    @Test
    void stripsWhitespaceAroundEachPiece() {
        String text = IntStream.range(0, 1000)
                .mapToObj(i -> i % 100 == 98 ? "  y" + i + " " : i % 100 == 99 ? "  " : "x" + i)
                .collect(Collectors.joining("\n"));
        assertEquals("y98\n", ValidationSplit.pieces(text).getFirst());
    }

    @Test
    void matchesTheByteCountsBehindTheModelsBitsPerByte() throws IOException {
        Path corpora = Path.of(System.getProperty("commvq.shared", "../../shared")).resolve("corpora");
        Assumptions.assumeTrue(Files.isDirectory(corpora), "no shared corpora at " + corpora);
        assertEquals(84_657, bytes(corpora.resolve("austen.txt")));
        assertEquals(162_425, bytes(corpora.resolve("brown.txt")));
        assertEquals(13_096, bytes(corpora.resolve("paul_graham_essays.txt")));
    }

    private static int bytes(Path file) throws IOException {
        return ValidationSplit.extract(Files.readString(file)).getBytes(StandardCharsets.UTF_8).length;
    }
}
