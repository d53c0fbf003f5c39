package org.commvq.model.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of a GGUF v3 reader to pull F16/F32 tensors and the tokenizer arrays out of the fixture, written
 * independently of the main GGUF code so the tests compare two separate readings of the same file.
 */
public final class MiniGguf {
    record Tensor(int type, long[] dims, long offset) {
    }

    private final ByteBuffer buf;
    private final Map<String, Tensor> tensors = new HashMap<>();
    private final Map<String, List<Object>> arrays = new HashMap<>();

    public MiniGguf(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (buf.getInt() != 0x46554747 || buf.getInt() != 3) {
            throw new IOException(file + " is not GGUF v3");
        }
        long nTensors = buf.getLong();
        long nKv = buf.getLong();
        long alignment = 32;
        for (long i = 0; i < nKv; i++) {
            String key = string();
            int type = buf.getInt();
            if (key.equals("general.alignment")) {
                alignment = buf.getInt();
            } else if (type == 9) {
                arrays.put(key, array());
            } else {
                skip(type);
            }
        }
        Map<String, Tensor> relative = new HashMap<>();
        for (long i = 0; i < nTensors; i++) {
            String name = string();
            long[] dims = new long[buf.getInt()];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = buf.getLong();
            }
            relative.put(name, new Tensor(buf.getInt(), dims, buf.getLong()));
        }
        long dataStart = (buf.position() + alignment - 1) / alignment * alignment;
        relative.forEach((n, t) -> tensors.put(n, new Tensor(t.type(), t.dims(), dataStart + t.offset())));
    }

    /** Row r of a 2-D F16 tensor, or element r.. of a 1-D F32 one, as floats. */
    public float[] row(String name, int r) {
        Tensor t = tensors.get(name);
        int cols = (int) t.dims()[0];
        float[] out = new float[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = switch (t.type()) {
                case 0 -> buf.getFloat((int) (t.offset() + 4L * ((long) r * cols + j)));
                case 1 -> Float.float16ToFloat(buf.getShort((int) (t.offset() + 2L * ((long) r * cols + j))));
                default -> throw new IllegalStateException(name + " has ggml type " + t.type());
            };
        }
        return out;
    }

    public long[] dims(String name) {
        return tensors.get(name).dims();
    }

    /** A metadata array of strings or int32, e.g. tokenizer.ggml.tokens. */
    public List<Object> array(String key) {
        return arrays.get(key);
    }

    private List<Object> array() {
        int elementType = buf.getInt();
        long n = buf.getLong();
        List<Object> values = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            switch (elementType) {
                case 8 -> values.add(string());
                case 5 -> values.add(buf.getInt());
                default -> skip(elementType);
            }
        }
        return values;
    }

    private String string() {
        byte[] b = new byte[(int) buf.getLong()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void skip(int type) {
        switch (type) {
            case 0, 1, 7 -> buf.position(buf.position() + 1);
            case 2, 3 -> buf.position(buf.position() + 2);
            case 4, 5, 6 -> buf.position(buf.position() + 4);
            case 10, 11, 12 -> buf.position(buf.position() + 8);
            case 8 -> string();
            case 9 -> {
                int elementType = buf.getInt();
                long n = buf.getLong();
                for (long i = 0; i < n; i++) {
                    skip(elementType);
                }
            }
            default -> throw new IllegalStateException("GGUF value type " + type);
        }
    }
}
