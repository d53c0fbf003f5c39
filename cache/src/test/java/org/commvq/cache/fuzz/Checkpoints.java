package org.commvq.cache.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Well-formed torch.save checkpoints around a given pickle, with the storage blobs of the PyTorch-made seed. */
final class Checkpoints {
    private static final Map<String, byte[]> SEED_BLOBS = seedBlobs();

    private Checkpoints() {
    }

    /** torch.save's layout: archive/data.pkl, archive/data/KEY, byteorder and version, all stored uncompressed. */
    static byte[] wrap(byte[] pickle) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "archive/data.pkl", pickle);
            put(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (Map.Entry<String, byte[]> blob : SEED_BLOBS.entrySet()) {
                put(zip, "archive/data/" + blob.getKey(), blob.getValue());
            }
            put(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The storage blobs of the PyTorch-made seed tensors.pt, by key. */
    private static Map<String, byte[]> seedBlobs() {
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(Path.of(Checkpoints.class.getResource(
                "TorchZipFuzzTestInputs/zip/tensors.pt").toURI()).toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().startsWith("tensors/data/")) {
                    blobs.put(e.getName().substring("tensors/data/".length()), zip.getInputStream(e).readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return blobs;
    }
}
