package org.commvq.model.gguf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.commvq.model.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a GGUF file can be broken ends in a one-line ModelFormatException naming the file and the expectation. */
class GgufValidationTest {
    @TempDir
    Path dir;

    @Test
    void wrongMagic() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patch(file, 0, "GGML".getBytes());
        assertRejected(file, "not a GGUF file", "'GGUF'", "47 47 4d 4c");
    }

    @Test
    void unsupportedVersions() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchInt(file, 4, 1);
        assertRejected(file, "unsupported GGUF version 1", "expected version 2 or 3");
        GgufFixtures.patchInt(file, 4, 4);
        assertRejected(file, "unsupported GGUF version 4");
        GgufFixtures.patchInt(file, 4, Integer.reverseBytes(3));
        assertRejected(file, "big-endian GGUF", "little-endian");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.truncate(file, 10);
        assertRejected(file, "truncated file", "header needs 24 bytes", "has 10");
        GgufFixtures.truncate(file, 0);
        assertRejected(file, "truncated file");
    }

    @Test
    void truncatedMetadata() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.truncate(file, GgufFixtures.afterString(file, "tokenizer.ggml.tokens") + 10);
        assertRejected(file, "truncated file", "array 'tokenizer.ggml.tokens'");
    }

    @Test
    void truncatedTensorInfos() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.truncate(file, GgufFixtures.tensorFields(file, "w.q8", 2).dims() + 5);
        assertRejected(file, "truncated file", "dimension 0 of tensor 'w.q8'");
    }

    @Test
    void truncatedData() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        long size;
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufTensor last = gguf.tensor("w.f16");
            size = last.fileOffset() + last.byteSize() - 1;
        }
        GgufFixtures.truncate(file, size);
        assertRejected(file, "tensor 'w.f16'", "past the end of the file", "truncated");
    }

    @Test
    void tensorOffsetOutsideTheFile() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, GgufFixtures.tensorFields(file, "norm", 1).offset(), 1L << 40);
        assertRejected(file, "tensor 'norm'", "past the end of the file");
        GgufFixtures.patchLong(file, GgufFixtures.tensorFields(file, "norm", 1).offset(), -32);
        assertRejected(file, "tensor 'norm'", "outside the file");
    }

    @Test
    void tensorSizeOutsideTheFile() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, GgufFixtures.tensorFields(file, "w.q8", 2).dims() + 8, 1000);
        assertRejected(file, "tensor 'w.q8'", "past the end of the file");
    }

    @Test
    void misalignedOffset() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, GgufFixtures.tensorFields(file, "w.q8", 2).offset(), 16);
        assertRejected(file, "tensor 'w.q8'", "offset 16", "multiple of the alignment 32");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, GgufFixtures.tensorFields(file, "w.q8", 2).offset(), 0);
        assertRejected(file, "tensors 'norm' and 'w.q8' overlap");
    }

    @Test
    void unknownTensorTypeId() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchInt(file, GgufFixtures.tensorFields(file, "w.q8", 2).type(), 99);
        assertRejected(file, "tensor 'w.q8'", "unknown ggml type id 99", "F32, F16, Q4_0, Q8_0, BF16");
    }

    @Test
    void knownButUnsupportedTensorType() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchInt(file, GgufFixtures.tensorFields(file, "w.q8", 2).type(), GgmlType.Q4_K.id());
        assertRejected(file, "tensor 'w.q8'", "type Q4_K", "not supported", "F32, F16, Q4_0, Q8_0, BF16");
    }

    @Test
    void absurdTensorCount() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, 8, 1L << 40);
        assertRejected(file, "tensor count is 1099511627776", "limit");
        GgufFixtures.patchLong(file, 8, 100_000);
        assertRejected(file, "tensor count is 100000", "cannot fit");
        GgufFixtures.patchLong(file, 8, -1);
        assertRejected(file, "tensor count is 18446744073709551615");
    }

    @Test
    void absurdMetadataCount() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, 16, 1L << 50);
        assertRejected(file, "metadata entry count", "limit");
        GgufFixtures.patchLong(file, 16, 500_000);
        assertRejected(file, "metadata entry count is 500000", "cannot fit");
    }

    @Test
    void absurdStringLength() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        long valueAt = GgufFixtures.afterString(file, "general.architecture") + 4;
        GgufFixtures.patchLong(file, valueAt, Long.MAX_VALUE);
        assertRejected(file, "length of metadata 'general.architecture'", "limit");
        GgufFixtures.patchLong(file, valueAt, Files.size(file));
        assertRejected(file, "length of metadata 'general.architecture'", "cannot fit");
        GgufFixtures.patchLong(file, 24, 1L << 20);
        assertRejected(file, "length of key of metadata entry 0", "limit");
    }

    @Test
    void absurdArrayLength() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        long countAt = GgufFixtures.afterString(file, "tokenizer.ggml.tokens") + 8;
        GgufFixtures.patchLong(file, countAt, 1L << 30);
        assertRejected(file, "length of array 'tokenizer.ggml.tokens'", "limit");
        GgufFixtures.patchLong(file, countAt, Files.size(file) / 8 + 1);
        assertRejected(file, "length of array 'tokenizer.ggml.tokens'", "cannot fit");
    }

    @Test
    void unknownMetadataValueType() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchInt(file, GgufFixtures.afterString(file, "llama.block_count"), 13);
        assertRejected(file, "metadata 'llama.block_count'", "unknown value type 13");
    }

    @Test
    void duplicateMetadataKeys() throws IOException {
        Path file = dir.resolve("dup.gguf");
        new GgufWriter().putUInt32("key.a", 1).putUInt32("key.b", 2).write(file);
        GgufFixtures.patch(file, GgufFixtures.afterString(file, "key.b") - 1, "a".getBytes());
        assertRejected(file, "duplicate metadata key 'key.a'");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        Path file = dir.resolve("dup.gguf");
        new GgufWriter().addTensor("t.a", GgmlType.F32, new long[] {4}, new float[4])
                .addTensor("t.b", GgmlType.F32, new long[] {4}, new float[4]).write(file);
        GgufFixtures.patch(file, GgufFixtures.afterString(file, "t.b") - 1, "a".getBytes());
        assertRejected(file, "duplicate tensor name 't.a'");
    }

    @Test
    void zeroDimension() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, GgufFixtures.tensorFields(file, "w.q8", 2).dims() + 8, 0);
        assertRejected(file, "tensor 'w.q8'", "dimension 1 = 0", "positive");
    }

    @Test
    void dimensionProductOverflow() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.TensorFields f = GgufFixtures.tensorFields(file, "w.q8", 2);
        GgufFixtures.patchLong(file, f.dims(), 1L << 32);
        GgufFixtures.patchLong(file, f.dims() + 8, 1L << 32);
        assertRejected(file, "tensor 'w.q8'", "64-bit");
    }

    @Test
    void tooManyDimensions() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchInt(file, GgufFixtures.tensorFields(file, "norm", 1).rank(), 5);
        assertRejected(file, "tensor 'norm' has 5 dimensions", "1 to 4");
    }

    @Test
    void quantizedRowsMustHoldWholeBlocks() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.patchLong(file, GgufFixtures.tensorFields(file, "w.q8", 2).dims(), 48);
        assertRejected(file, "tensor 'w.q8' is Q8_0 with rows of 48 values", "multiple of the block size 32");
    }

    @Test
    void q4RowsMustHoldWholeBlocks() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        GgufFixtures.TensorFields f = GgufFixtures.tensorFields(file, "norm", 1);
        GgufFixtures.patchLong(file, f.dims(), 40);
        GgufFixtures.patchInt(file, f.type(), GgmlType.Q4_0.id());
        assertRejected(file, "tensor 'norm' is Q4_0 with rows of 40 values", "multiple of the block size 32");
    }

    @Test
    void badAlignment() throws IOException {
        Path file = dir.resolve("align.gguf");
        new GgufWriter().putUInt32("general.alignment", 64).write(file);
        GgufFixtures.patchInt(file, GgufFixtures.afterString(file, "general.alignment") + 4, 48);
        assertRejected(file, "general.alignment is 48", "power of two");
    }

    @Test
    void arraysNestedTooDeep() throws IOException {
        GgufArray nested = GgufArray.ofInt32(new int[] {1});
        for (int i = 0; i < 9; i++) {
            nested = GgufArray.ofArrays(List.of(nested));
        }
        Path file = dir.resolve("deep.gguf");
        new GgufWriter().putArray("deep", nested).write(file);
        assertRejected(file, "metadata 'deep' nests arrays deeper than 8");
    }

    @Test
    void directoriesAndMissingFiles() {
        assertRejected(dir, "is a directory");
        assertRejected(dir.resolve("absent.gguf"), "cannot read the file");
    }

    @Test
    void everyTruncationIsRejectedCleanly() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.gguf");
        long dataEnd;
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufTensor last = gguf.tensor("w.f16");
            dataEnd = last.fileOffset() + last.byteSize();
        }
        for (int size = 0; size < dataEnd; size++) {
            Files.write(cut, Arrays.copyOf(bytes, size));
            assertThrows(ModelFormatException.class, () -> GgufFile.open(cut).close(), "cut at " + size);
        }
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() throws IOException {
        Path file = GgufFixtures.writeSample(dir);
        byte[] original = Files.readAllBytes(file);
        long dataOffset;
        try (GgufFile gguf = GgufFile.open(file)) {
            dataOffset = gguf.dataOffset();
        }
        Random random = new Random(2024);
        Path bad = dir.resolve("bad.gguf");
        for (int trial = 0; trial < 2000; trial++) {
            byte[] bytes = original.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                int at = random.nextInt((int) dataOffset);
                bytes[at] = random.nextInt(4) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            Files.write(bad, bytes);
            try (GgufFile gguf = GgufFile.open(bad)) {
                for (GgufTensor t : gguf.tensors()) {
                    t.toFloats();
                }
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().startsWith(bad.toString()), expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail("trial " + trial + " escaped as " + e, e);
            }
        }
    }

    private static void assertRejected(Path file, String... phrases) {
        ModelFormatExceptionAssert.assertMessage(() -> GgufFile.open(file).close(), file, phrases);
    }
}
