package org.commvq.cli.eval.report;

import java.util.Locale;

/** How numbers print in every report, console or file. */
public final class Formats {
    private Formats() {
    }

    public static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    public static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** Binary units, three significant digits: "16.0 GiB". */
    public static String bytes(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) {
            return fixed(v, v == Math.rint(v) ? 0 : 1) + " B";
        }
        return fixed(v, Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2) + " " + units[u];
    }

    /** A size as it was most likely written: "24 GiB" or "24 GB" when it is a whole number of either, else binary. */
    public static String size(long bytes) {
        String[] binary = {"KiB", "MiB", "GiB", "TiB"};
        String[] decimal = {"KB", "MB", "GB", "TB"};
        for (int u = binary.length - 1; u >= 0; u--) {
            if (bytes % (1L << (10 * (u + 1))) == 0 && bytes > 0) {
                return bytes / (1L << (10 * (u + 1))) + " " + binary[u];
            }
            long power = (long) Math.pow(1000, u + 1);
            if (bytes % power == 0 && bytes > 0) {
                return bytes / power + " " + decimal[u];
            }
        }
        return bytes(bytes);
    }

    /** Token counts as people write context lengths: 131072 → "128K", 73994 → "72.3K". */
    public static String tokens(long n) {
        if (n < 1024) {
            return Long.toString(n);
        }
        double k = n / 1024.0;
        if (k < 1024) {
            return (k == Math.rint(k) ? fixed(k, 0) : fixed(k, 1)) + "K";
        }
        double m = k / 1024;
        return (m == Math.rint(m) ? fixed(m, 0) : fixed(m, 2)) + "M";
    }

    public static String depth(double d) {
        return fixed(d, 2);
    }
}
