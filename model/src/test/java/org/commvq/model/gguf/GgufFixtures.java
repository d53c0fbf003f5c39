package org.commvq.model.gguf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small valid GGUF file to corrupt, and byte-level tools to find and patch its fields. */
final class GgufFixtures {
    static final long[] NORM_DIMS = {64};
    static final long[] Q8_DIMS = {64, 3};
    static final long[] F16_DIMS = {64, 2};

    private GgufFixtures() {
    }

    /** Three tensors (F32 "norm", Q8_0 "w.q8", F16 "w.f16") and metadata with a string array and a float. */
    static Path writeSample(Path dir) throws IOException {
        Path file = dir.resolve("sample.gguf");
        sampleWriter().write(file);
        return file;
    }

    static GgufWriter sampleWriter() {
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 2)
                .putFloat32("llama.rope.freq_base", 10000f)
                .putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(List.of("a", "b", "c")))
                .addTensor("norm", GgmlType.F32, NORM_DIMS, ramp(64))
                .addTensor("w.q8", GgmlType.Q8_0, Q8_DIMS, ramp(192))
                .addTensor("w.f16", GgmlType.F16, F16_DIMS, ramp(128));
    }

    static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 13 - 6) * 0.125f;
        }
        return v;
    }

    /** Offset of the first occurrence of a GGUF string (length prefix and bytes), pointing just past it. */
    static long afterString(Path file, String s) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] needle = ByteBuffer.allocate(8 + utf8.length).order(ByteOrder.LITTLE_ENDIAN).putLong(utf8.length)
                .put(utf8).array();
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i + needle.length;
        }
        throw new IllegalArgumentException("string '" + s + "' not in " + file);
    }

    /** Offsets of one tensor's header fields: rank, dims, type id, data offset. */
    record TensorFields(long rank, long dims, long type, long offset) {
    }

    static TensorFields tensorFields(Path file, String name, int rank) throws IOException {
        long at = afterString(file, name);
        return new TensorFields(at, at + 4, at + 4 + 8L * rank, at + 4 + 8L * rank + 4);
    }

    static void patchInt(Path file, long at, int value) throws IOException {
        patch(file, at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    static void patchLong(Path file, long at, long value) throws IOException {
        patch(file, at, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    static void patch(Path file, long at, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            raf.write(bytes);
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }
}
