package org.commvq.cache.codebook.pt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, the way CPython's pickler lays them out, for tests of the restricted unpickler. */
final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder op(int code) {
        out.write(code);
        return this;
    }

    PickleBuilder proto(int version) {
        return op(0x80).op(version);
    }

    PickleBuilder mark() {
        return op('(');
    }

    PickleBuilder emptyDict() {
        return op('}');
    }

    PickleBuilder emptyList() {
        return op(']');
    }

    PickleBuilder emptyTuple() {
        return op(')');
    }

    PickleBuilder string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        le(b.length, 4);
        out.writeBytes(b);
        return this;
    }

    PickleBuilder shortString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c).op(b.length);
        out.writeBytes(b);
        return this;
    }

    /** The smallest integer opcode CPython would use. */
    PickleBuilder integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').op((int) v);
        }
        if (v >= 0 && v < 65536) {
            op('M');
            return le(v, 2);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            return le(v, 4);
        }
        op(0x8a).op(8);
        return le(v, 8);
    }

    PickleBuilder binfloat(double d) {
        op('G');
        long bits = Double.doubleToLongBits(d);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    PickleBuilder global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBuilder put(int index) {
        return op('q').op(index);
    }

    PickleBuilder get(int index) {
        return op('h').op(index);
    }

    PickleBuilder tuple(int n) {
        return op(switch (n) {
            case 1 -> 0x85;
            case 2 -> 0x86;
            case 3 -> 0x87;
            default -> 't';
        });
    }

    PickleBuilder reduce() {
        return op('R');
    }

    PickleBuilder setitems() {
        return op('u');
    }

    PickleBuilder stop() {
        return op('.');
    }

    PickleBuilder raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBuilder le(long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    /**
     * torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) with the storage given as
     * the persistent id ('storage', torch.&lt;storageClass&gt;, key, 'cpu', numel), as torch.save writes a tensor.
     */
    PickleBuilder tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().string("storage").global("torch", storageClass).string(key).string("cpu").integer(numel).tuple(0);
        op('Q');
        integer(offset);
        mark();
        for (long s : size) {
            integer(s);
        }
        tuple(0);
        mark();
        for (long s : stride) {
            integer(s);
        }
        tuple(0);
        op(0x89);
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple(0);
        return reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
