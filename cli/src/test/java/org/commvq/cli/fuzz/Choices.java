package org.commvq.cli.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.Random;

/** The decisions a generated command line is made of, taken from Jazzer's input or from a seeded Random. */
interface Choices {
    /** A number in [0, n). */
    int below(int n);

    int anyInt();

    String anyString(int maxLength);

    static Choices of(FuzzedDataProvider data) {
        return new Choices() {
            @Override
            public int below(int n) {
                return data.consumeInt(0, n - 1);
            }

            @Override
            public int anyInt() {
                return data.consumeInt();
            }

            @Override
            public String anyString(int maxLength) {
                return data.consumeString(maxLength);
            }
        };
    }

    static Choices of(Random random) {
        return new Choices() {
            @Override
            public int below(int n) {
                return random.nextInt(n);
            }

            @Override
            public int anyInt() {
                return random.nextInt();
            }

            @Override
            public String anyString(int maxLength) {
                StringBuilder s = new StringBuilder();
                for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
                    s.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x2FFFF) : ' ' + random.nextInt(95));
                }
                return s.toString();
            }
        };
    }
}
