package org.commvq.cli.eval;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Progress of a long run on stderr. On a terminal the bar is redrawn in place; since the launcher passes stderr
 * through a line filter, every redraw is a whole line that first moves the cursor up over the previous one.
 * Elsewhere (logs, CI) it prints a plain line at each quarter, so files stay readable.
 */
final class ProgressBar implements IntConsumer, AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private int lastQuarter;
    private boolean drawn;

    ProgressBar(PrintWriter err, String label, long total) {
        this(err, label, total, isTerminal());
    }

    ProgressBar(PrintWriter err, String label, long total, boolean terminal) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.terminal = terminal;
    }

    static boolean isTerminal() {
        return System.console() != null && System.console().isTerminal() && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public void accept(int n) {
        done = Math.min(total, done + n);
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDraw >= REDRAW_NANOS || done == total) {
                draw(now);
            }
        } else {
            int quarter = (int) (4 * done / total);
            if (quarter > lastQuarter) {
                lastQuarter = quarter;
                err.println(line(now));
            }
        }
    }

    private void draw(long now) {
        err.print((drawn ? "\033[1A\r\033[2K" : "") + line(now) + "\n");
        err.flush();
        drawn = true;
        lastDraw = now;
    }

    String line(long now) {
        double seconds = (now - start) / 1e9;
        int filled = (int) (WIDTH * done / total);
        String eta = done == 0 || done == total ? "" : String.format(Locale.ROOT, ", ~%.0f s left",
                seconds * (total - done) / done);
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d (%.0f%%) %.1f s%s", label, "#".repeat(filled),
                " ".repeat(WIDTH - filled), done, total, 100.0 * done / total, seconds, eta);
    }

    /** Leaves a terminal bar showing where the run ended. */
    @Override
    public void close() {
        if (terminal) {
            draw(System.nanoTime());
        }
    }
}
