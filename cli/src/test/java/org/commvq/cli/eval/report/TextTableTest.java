package org.commvq.cli.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void alignsForTheConsoleAndWritesMarkdown() {
        TextTable t = new TextTable("kv cache", "ppl").row("fp16", "38.21").row("kivi2", "140.1");
        assertEquals("""
                kv cache    ppl
                fp16      38.21
                kivi2     140.1
                """, t.text());
        assertEquals("""
                | kv cache | ppl |
                |---|---:|
                | fp16 | 38.21 |
                | kivi2 | 140.1 |
                """, t.markdown());
    }

    @Test
    void rowsMustMatchTheHeader() {
        assertThrows(IllegalArgumentException.class, () -> new TextTable("a", "b").row("x"));
    }

    @Test
    void numbersPrintTheSameEverywhere() {
        assertEquals("16.0 GiB", Formats.bytes(16L << 30));
        assertEquals("128 KiB", Formats.bytes(131_072));
        assertEquals("512 B", Formats.bytes(512));
        assertEquals("128K", Formats.tokens(131_072));
        assertEquals("72.3K", Formats.tokens(73_994));
        assertEquals("1,024", Formats.count(1024));
        assertEquals("24 GiB", Formats.size(24L << 30));
        assertEquals("24 GB", Formats.size(24_000_000_000L));
        assertEquals("1.50 KiB", Formats.size(1536));
    }
}
