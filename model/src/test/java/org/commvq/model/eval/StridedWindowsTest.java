package org.commvq.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StridedWindowsTest {

    @Test
    void everyTokenIsScoredExactlyOnceWithTheOverlapAsContext() {
        for (int tokens : new int[] {1, 2, 7, 100, 1000, 1023, 1024, 1025}) {
            for (int span : new int[] {1, 2, 16, 511, 1024}) {
                for (int stride : new int[] {1, span / 3, span / 2, span - 1, span}) {
                    if (stride < 1) {
                        continue;
                    }
                    List<StridedWindows.Window> ws = StridedWindows.plan(tokens, span, stride);
                    int[] scored = new int[tokens];
                    for (int i = 0; i < ws.size(); i++) {
                        StridedWindows.Window w = ws.get(i);
                        assertTrue(w.length() <= span && w.begin() <= w.scoreFrom() && w.scoreFrom() < w.end());
                        if (i > 0) {
                            assertEquals(ws.get(i - 1).begin() + stride, w.begin());
                            assertTrue(w.scoreFrom() - w.begin() >= Math.min(span - stride, w.scoreFrom()),
                                    "context before the first scored token");
                        }
                        for (int t = w.scoreFrom(); t < w.end(); t++) {
                            scored[t]++;
                        }
                    }
                    for (int t = 0; t < tokens; t++) {
                        assertEquals(1, scored[t], "token " + t + " of " + tokens + ", span " + span + ", stride "
                                + stride);
                    }
                    assertEquals(tokens, ws.getLast().end());
                }
            }
        }
    }

    @Test
    void theHuggingFaceExample() {
        // 10 tokens, windows of 4 every 2: [0,4) scores 0-3, [2,6) scores 4-5, [4,8) 6-7, [6,10) 8-9.
        assertEquals(List.of(new StridedWindows.Window(0, 4, 0), new StridedWindows.Window(2, 6, 4),
                new StridedWindows.Window(4, 8, 6), new StridedWindows.Window(6, 10, 8)),
                StridedWindows.plan(10, 4, 2));
    }

    @Test
    void rejectsStridesLongerThanTheWindow() {
        assertThrows(IllegalArgumentException.class, () -> StridedWindows.plan(10, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> StridedWindows.plan(10, 0, 1));
    }
}
