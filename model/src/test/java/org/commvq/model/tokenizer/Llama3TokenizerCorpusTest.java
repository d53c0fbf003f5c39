package org.commvq.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Byte-exact round trips over the shared corpora (about 11 MB), which also bounds the encoding speed. */
class Llama3TokenizerCorpusTest {
    /** Generous for 2 busy cores; one pass takes a few seconds when the machine is free. */
    private static final long TIME_LIMIT_NANOS = 20_000_000_000L;

    @Test
    void corporaRoundTripByteForByte() throws IOException {
        Path corpora = SharedFixtures.require("corpora");
        Llama3Tokenizer tok = Llama3Tokenizer.fromTokenizerJson(SharedFixtures.tinyModel().resolve("tokenizer.json"));
        List<Path> files;
        try (Stream<Path> s = Files.list(corpora)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertTrue(!files.isEmpty(), "no corpora in " + corpora);
        long start = System.nanoTime();
        long bytes = 0;
        long tokens = 0;
        for (Path f : files) {
            byte[] raw = Files.readAllBytes(f);
            String text = new String(raw, StandardCharsets.UTF_8);
            int[] ids = tok.encode(text, false);
            assertArrayEquals(raw, tok.decode(ids).getBytes(StandardCharsets.UTF_8), f.getFileName().toString());
            bytes += raw.length;
            tokens += ids.length;
        }
        long elapsed = System.nanoTime() - start;
        System.out.printf("corpora: %d files, %d bytes, %d tokens, encode+decode in %.2f s%n", files.size(), bytes,
                tokens, elapsed / 1e9);
        assertTrue(elapsed < TIME_LIMIT_NANOS, "encoding took " + elapsed / 1e9 + " s");
    }

    @Test
    void streamingDecodeEqualsFullDecode() throws IOException {
        Llama3Tokenizer tok = Llama3Tokenizer.fromTokenizerJson(SharedFixtures.tinyModel().resolve("tokenizer.json"));
        String text = "Prices 3.75% — €1.099,99!\n\tNaïve café «¿ok?» 東京 🚀\r\n"
                + Files.readString(SharedFixtures.require("corpora/paul_graham_essays.txt")).substring(0, 20_000);
        int[] ids = tok.encode(text, true, false);
        Llama3Tokenizer.StreamDecoder stream = tok.streamDecoder();
        StringBuilder streamed = new StringBuilder();
        boolean heldBack = false;
        for (int id : ids) {
            String piece = stream.next(id);
            heldBack |= piece.isEmpty() && tok.bytes(id).length > 0;
            assertTrue(piece.chars().noneMatch(c -> c == 0xFFFD), "no half characters are emitted");
            streamed.append(piece);
        }
        streamed.append(stream.finish());
        assertEquals(tok.decode(ids), streamed.toString());
        assertTrue(heldBack, "the sample splits at least one character across tokens");

        int[] rocket = tok.encode("🚀", false);
        assertTrue(rocket.length > 1, "the emoji spans several byte tokens");
        assertEquals("", stream.next(rocket[0]));
        assertEquals(tok.decode(new int[] {rocket[0]}), stream.finish(), "an unfinished character is flushed");
        assertEquals("🚀", stream.next(rocket[0]) + String.join("", IntStream.range(1, rocket.length)
                .mapToObj(i -> stream.next(rocket[i])).toList()) + stream.finish(), "usable again after finish");
    }
}
