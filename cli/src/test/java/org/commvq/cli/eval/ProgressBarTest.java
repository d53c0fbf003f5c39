package org.commvq.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void withoutATerminalItPrintsAPlainLineEachQuarter() {
        StringWriter sw = new StringWriter();
        try (ProgressBar bar = new ProgressBar(new PrintWriter(sw, true), "ppl fp16", 100, false)) {
            for (int i = 0; i < 100; i++) {
                bar.accept(1);
            }
        }
        String[] lines = sw.toString().split("\n");
        assertEquals(4, lines.length, sw.toString());
        assertTrue(lines[3].startsWith("ppl fp16 [##############################] 100/100 (100%)"), lines[3]);
        assertFalse(sw.toString().contains("\033"), "no escape codes in logs");
    }

    @Test
    void onATerminalEveryRedrawIsAWholeLine() {
        StringWriter sw = new StringWriter();
        try (ProgressBar bar = new ProgressBar(new PrintWriter(sw, true), "x", 2, true)) {
            bar.accept(1);
            bar.accept(1);
        }
        assertTrue(sw.toString().endsWith("\n"));
        assertTrue(sw.toString().contains("\033[1A"));
    }
}
