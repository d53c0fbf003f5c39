package org.commvq.cache.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The fuzz run of the normal build: a target's regression corpus (the folder Jazzer reads, {@code <Class>Inputs/
 * <method>} beside the test class) and then a fixed number of seeded {@link Mutator} mutations of it. The same seed
 * gives the same inputs, so a failure here reproduces; its message carries the input to save into that folder.
 */
public final class SeededFuzz {
    /** An input slower than this counts as a hang; the readers take microseconds. */
    private static final long HANG_NANOS = 5_000_000_000L;

    private SeededFuzz() {
    }

    public static void run(Class<?> test, String method, int mutations, long seed, Consumer<byte[]> target) {
        List<byte[]> corpus = corpus(test, method);
        for (byte[] input : corpus) {
            once(input, target);
        }
        Random random = new Random(seed);
        for (int i = 0; i < mutations; i++) {
            once(Mutator.mutate(corpus.get(random.nextInt(corpus.size())), corpus, random), target);
        }
    }

    static List<byte[]> corpus(Class<?> test, String method) {
        URL url = test.getResource(test.getSimpleName() + "Inputs/" + method);
        if (url == null) {
            throw new IllegalStateException("no corpus folder " + test.getSimpleName() + "Inputs/" + method);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void once(byte[] input, Consumer<byte[]> target) {
        long start = System.nanoTime();
        try {
            target.accept(input);
        } catch (Throwable t) {
            throw new AssertionError("finding; save this input (base64) into the corpus folder to keep it: "
                    + Base64.getEncoder().encodeToString(input), t);
        }
        long took = System.nanoTime() - start;
        if (took > HANG_NANOS) {
            throw new AssertionError("input took " + took / 1_000_000 + " ms: "
                    + Base64.getEncoder().encodeToString(input));
        }
    }
}
