package org.commvq.cache.codebook.pt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.commvq.cache.codebook.CodebookException;

/**
 * Reads a PyTorch checkpoint in the zip format of {@code torch.save} (PyTorch ≥ 1.6): one top-level folder (its name
 * varies: "archive", or the file's stem) holding {@code data.pkl}, {@code data/KEY} storage blobs and
 * {@code version}. The pickle goes through {@link RestrictedUnpickler}; each storage blob is read once, checked
 * against the element count the pickle claims, and copied out so tensors outlive the file.
 */
public final class TorchZipReader {
    public static final long MAX_PICKLE_BYTES = 64L << 20;

    private TorchZipReader() {
    }

    /** The checkpoint's root object as plain data (see {@link RestrictedUnpickler}). */
    public static Object read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefix(file, zip);
            checkByteOrder(file, zip, prefix);
            byte[] pickle = bytes(file, zip, zip.getEntry(prefix + "data.pkl"), MAX_PICKLE_BYTES);
            Map<String, TorchStorage> storages = new HashMap<>();
            RestrictedUnpickler.StorageLoader loader = (dtype, key, numel) -> {
                TorchStorage known = storages.get(key);
                if (known != null) {
                    if (known.dtype() != dtype || known.numel() != numel) {
                        throw new CodebookException(file, "storage " + key + " is used as two different types");
                    }
                    return known;
                }
                TorchStorage s = storage(file, zip, prefix, dtype, key, numel);
                storages.put(key, s);
                return s;
            };
            return RestrictedUnpickler.load(pickle, loader);
        } catch (PickleException e) {
            throw new CodebookException(file, "data.pkl: " + e.getMessage(), e);
        } catch (ZipException e) {
            throw new CodebookException(file, notZip(file), e);
        } catch (IOException e) {
            throw new CodebookException(file, "cannot read checkpoint (" + e + ")", e);
        }
    }

    private static String notZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            if (in.read() == 0x80) {
                return "a legacy (pre-1.6, non-zip) torch.save file; re-save it with a current PyTorch";
            }
        } catch (IOException ignored) {
            return "not a zip archive";
        }
        return "not a PyTorch zip checkpoint";
    }

    private static String prefix(Path file, ZipFile zip) {
        List<String> found = new ArrayList<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                found.add(name.substring(0, slash + 1));
            }
        }
        if (found.size() != 1) {
            throw new CodebookException(file, found.isEmpty() ? "no <folder>/data.pkl in the archive"
                    : "several data.pkl in the archive: " + found);
        }
        return found.get(0);
    }

    private static void checkByteOrder(Path file, ZipFile zip, String prefix) throws IOException {
        ZipEntry order = zip.getEntry(prefix + "byteorder");
        if (order != null) {
            String value = new String(bytes(file, zip, order, 16), StandardCharsets.US_ASCII).trim();
            if (!value.equals("little")) {
                throw new CodebookException(file, "byte order '" + value + "' is not supported (little-endian only)");
            }
        }
    }

    private static TorchStorage storage(Path file, ZipFile zip, String prefix, TorchDtype dtype, String key,
                                        long numel) {
        if (!key.matches("[A-Za-z0-9_]{1,64}")) {
            throw new CodebookException(file, "storage key '" + key + "' is not a plain name");
        }
        long size = numel * dtype.byteSize();
        ZipEntry entry = zip.getEntry(prefix + "data/" + key);
        if (entry == null) {
            throw new CodebookException(file, "storage " + key + " has no blob " + prefix + "data/" + key);
        }
        byte[] blob;
        try {
            blob = bytes(file, zip, entry, size);
        } catch (IOException e) {
            throw new CodebookException(file, "cannot read storage " + key + " (" + e + ")", e);
        }
        if (blob.length != size) {
            throw new CodebookException(file, "storage " + key + " claims " + numel + " " + dtype.dtypeName()
                    + " elements (" + size + " bytes) but its blob has " + blob.length + " bytes");
        }
        return new TorchStorage(dtype, key, numel, blob);
    }

    /** An entry's bytes; an entry longer than {@code limit} is an error, never read whole. */
    private static byte[] bytes(Path file, ZipFile zip, ZipEntry entry, long limit) throws IOException {
        if (entry == null) {
            throw new CodebookException(file, "missing archive entry");
        }
        if (entry.getSize() > limit) {
            throw new CodebookException(file, "entry " + entry.getName() + " of " + entry.getSize()
                    + " bytes exceeds the expected " + limit + " bytes");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] data = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
            if (in.read() != -1) {
                throw new CodebookException(file, "entry " + entry.getName() + " exceeds the expected " + limit
                        + " bytes");
            }
            return data;
        }
    }
}
